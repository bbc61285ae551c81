using Loire.Cli.Tests.Infrastructure;
using Loire.Security;

namespace Loire.Cli.Tests;

/// <summary><c>loire token</c> signs locally: no broker is needed, so the gateway given is one nobody listens on.</summary>
public sealed class TokenCommandTests
{
    private const string Key = "dG9rZW4tY29tbWFuZC10ZXN0LWtleS0wMTIzNDU2Nzg5";

    private readonly CliRunner _cli = new("127.0.0.1:1");

    [Fact]
    public async Task PrintsATokenSignedWithTheKeyForTheResourceAndLifetime()
    {
        var result = await _cli.ExpectAsync(0, "token", "--key-name", "console", "--key", Key, "--resource", "orders", "--ttl", "10m");

        var token = SharedAccessSignature.TryParse(result.Out.Trim(), out var error);
        Assert.True(token is not null, error);
        Assert.True(token.IsSignedWith(Key));
        Assert.Equal("console", token.KeyName);
        Assert.True(token.Covers("orders"));
        Assert.False(token.Covers("payments"));
        Assert.InRange(token.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(11));
    }

    [Fact]
    public async Task TakesTheKeyFromTheConnectionStringAndWritesJson()
    {
        var result = await _cli.ExpectAsync(0, "token", "--json",
            "--connection-string", $"Endpoint=loire://127.0.0.1:1;SharedAccessKeyName=root;SharedAccessKey={Key}");

        var token = SharedAccessSignature.TryParse(result.Json().GetProperty("token").GetString(), out _);
        Assert.NotNull(token);
        Assert.True(token.IsSignedWith(Key));
        Assert.Equal("root", token.KeyName);
        Assert.True(token.Covers("any/entity"));
    }

    [Theory]
    [InlineData("--ttl", "soon")]
    [InlineData("--ttl", "max")]
    [InlineData("--ttl", "0s")]
    public async Task BadLifetimesAreUsageErrors(string flag, string value) =>
        await _cli.ExpectAsync(1, "token", "--key-name", "k", "--key", Key, flag, value);

    [Fact]
    public async Task WithoutAKeyItSaysWhatIsMissing()
    {
        var result = await _cli.ExpectAsync(1, "token", "--key-name", "k");
        Assert.Contains("--key", result.Error);
        Assert.Empty(result.Out);
    }
}

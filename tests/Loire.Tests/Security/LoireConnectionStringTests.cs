using Loire.Client;
using Loire.Client.Security;
using Loire.Security;

namespace Loire.Tests.Security;

public sealed class LoireConnectionStringTests
{
    private const string Key = "0123456789abcdef0123456789abcdef=";

    [Fact]
    public void AKeyConnectionStringGivesGatewaysIdsAndAKeyProvider()
    {
        var parsed = LoireConnectionString.Parse(
            $"Endpoint=loire://10.0.0.5:30000,silo-2:30001/;SharedAccessKeyName=app;SharedAccessKey={Key};EntityPath=orders;ClusterId=c1;ServiceId=s1");
        var options = parsed.ToClientOptions();

        Assert.Equal(["10.0.0.5:30000", "silo-2:30001"], parsed.Gateways);
        Assert.Equal(Key, parsed.SharedAccessKey);
        Assert.Equal(["10.0.0.5:30000", "silo-2:30001"], options.Gateways);
        Assert.Equal("c1", options.ClusterId);
        Assert.Equal("s1", options.ServiceId);
        Assert.NotNull(options.TokenProvider);
    }

    [Fact]
    public async Task TheKeyProviderSignsTokensScopedToTheEntityPath()
    {
        var options = LoireClientOptions.FromConnectionString($"endpoint=loire://127.0.0.1:30000;sharedaccesskeyname=app;sharedaccesskey={Key};entitypath=orders");

        var token = SharedAccessSignature.TryParse(await options.TokenProvider!.GetTokenAsync(), out _)!;

        Assert.Equal("app", token.KeyName);
        Assert.Equal("orders", token.Scope);
        Assert.True(token.IsSignedWith(Key));
        Assert.InRange(token.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task ASignatureConnectionStringHandsOutThatToken()
    {
        var signature = SharedAccessSignature.Create("app", Key, "", DateTimeOffset.UtcNow.AddHours(1));

        var options = LoireClientOptions.FromConnectionString($"Endpoint=loire://127.0.0.1:30000;SharedAccessSignature={signature}");

        Assert.Equal(signature, await options.TokenProvider!.GetTokenAsync());
    }

    [Fact]
    public void AConnectionStringWithoutCredentialsConnectsWithoutToken()
    {
        var options = LoireClientOptions.FromConnectionString("Endpoint=loire://127.0.0.1:30000");

        Assert.Null(options.TokenProvider);
        Assert.Equal(["127.0.0.1:30000"], options.Gateways);
    }

    [Theory]
    [InlineData("SharedAccessKeyName=a;SharedAccessKey=" + Key, "Endpoint is required")]
    [InlineData("Endpoint=tcp://h:1", "must start with loire://")]
    [InlineData("Endpoint=loire://", "names no gateway")]
    [InlineData("Endpoint=loire://host", "not a gateway address")]
    [InlineData("Endpoint=loire://h:1;Endpoint=loire://h:2", "'Endpoint' appears more than once")]
    [InlineData("Endpoint=loire://h:1;Password=x", "unknown key 'Password'")]
    [InlineData("Endpoint=loire://h:1;" + Key, "part 2 is not of the form Key=Value")]
    [InlineData("Endpoint=loire://h:1;SharedAccessKeyName=a", "go together")]
    [InlineData("Endpoint=loire://h:1;SharedAccessKeyName=a;SharedAccessKey=" + Key + ";SharedAccessSignature=SharedAccessSignature sr=&sig=a&se=1&skn=a", "not both")]
    [InlineData("Endpoint=loire://h:1;SharedAccessSignature=abc", "not a token")]
    public void MalformedConnectionStringsFailClearlyWithoutEchoingKeys(string connectionString, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => LoireConnectionString.Parse(connectionString));

        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain(Key, e.Message);
    }

    [Fact]
    public void TheClientAcceptsAConnectionStringWhereItTakesGateways()
    {
        var e = Assert.Throws<ArgumentException>(() => new LoireClient("Endpoint=loire://h:1;Nope=1"));

        Assert.Contains("unknown key 'Nope'", e.Message);
    }
}

using Loire.Client.Security;
using Loire.Security;

namespace Loire.Tests.Security;

public sealed class SharedAccessKeyTokenProviderTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task ATokenIsCachedAndRenewedBeforeItExpires()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var provider = new SharedAccessKeyTokenProvider("app", Key, null, TimeSpan.FromMinutes(10), time);

        var first = await provider.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(7));
        var cached = await provider.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(1.5)); // 1.5 minutes left: under a fifth of its life
        var renewed = await provider.GetTokenAsync();

        Assert.Same(first, cached);
        Assert.NotEqual(first, renewed);
        Assert.Equal(time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds(), SharedAccessSignature.TryParse(renewed, out _)!.ExpiresAt.ToUnixTimeSeconds());
    }

    [Fact]
    public void ATokenMustLiveAtLeastAMinute() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LoireTokenProvider.CreateSharedAccessKeyProvider("app", Key, tokenTimeToLive: TimeSpan.FromSeconds(30)));

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

using Loire.Security;

namespace Loire.Tests.Security;

public sealed class SharedAccessSignatureTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Expiry = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000);

    [Fact]
    public void ACreatedTokenHasServiceBusShapeAndParsesBack()
    {
        var token = SharedAccessSignature.Create("root", Key, "loire://broker/orders", Expiry);
        var parsed = SharedAccessSignature.TryParse(token, out var error);

        Assert.StartsWith("SharedAccessSignature sr=loire%3A%2F%2Fbroker%2Forders&sig=", token);
        Assert.EndsWith("&se=2000000000&skn=root", token);
        Assert.Null(error);
        Assert.NotNull(parsed);
        Assert.Equal("root", parsed.KeyName);
        Assert.Equal(Expiry, parsed.ExpiresAt);
        Assert.Equal("orders", parsed.Scope);
        Assert.True(parsed.IsSignedWith(Key));
        Assert.False(parsed.IsSignedWith(Key.ToUpperInvariant()));
        Assert.False(parsed.IsSignedWith(null));
    }

    [Fact]
    public void ATamperedFieldBreaksTheSignature()
    {
        var token = SharedAccessSignature.Create("root", Key, "orders", Expiry);

        var otherResource = SharedAccessSignature.TryParse(token.Replace("sr=orders", "sr=payments"), out _);
        var laterExpiry = SharedAccessSignature.TryParse(token.Replace("se=2000000000", "se=2000000001"), out _);

        Assert.False(otherResource!.IsSignedWith(Key));
        Assert.False(laterExpiry!.IsSignedWith(Key));
    }

    [Theory]
    [InlineData(null, "no shared access signature")]
    [InlineData("", "no shared access signature")]
    [InlineData("Bearer abc", "does not start with")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=1", "needs sr, sig, se and skn")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=1&skn=k&skn=k", "repeated field 'skn'")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=1&skn=k&rights=Manage", "unknown, empty or repeated field 'rights'")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=soon&skn=k", "expiry (se)")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=-1&skn=k", "expiry (se)")]
    public void MalformedTokensAreRejectedWithAReason(string? token, string expected)
    {
        Assert.Null(SharedAccessSignature.TryParse(token, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("", "orders", true)]
    [InlineData("", null, true)]
    [InlineData("orders", "orders", true)]
    [InlineData("events", "events/subscriptions/audit", true)]
    [InlineData("orders", "orders-archive", false)]
    [InlineData("orders", null, false)]
    [InlineData("billing/invoices", "billing", false)]
    public void AScopeCoversItsEntityAndWhatLiesUnderIt(string resource, string? entity, bool covered)
    {
        var token = SharedAccessSignature.TryParse(SharedAccessSignature.Create("k", Key, "loire://any-host/" + resource, Expiry), out _)!;

        Assert.Equal(covered, token.Covers(entity));
    }

    [Fact]
    public void RulesAreValidatedAndNeverPrintTheirKeys()
    {
        var rule = new SharedAccessAuthorizationRule("app", Key, null, AccessRights.Send);

        Assert.Null(rule.GetError());
        Assert.DoesNotContain(Key, rule.ToString());
        Assert.Contains("32 to 256", (rule with { PrimaryKey = "short" }).GetError());
        Assert.Contains("key name", (rule with { KeyName = "bad name" }).GetError());
        Assert.Contains("must grant", (rule with { Rights = AccessRights.None }).GetError());
    }
}

using CsCheck;
using Loire.Client.Security;
using Loire.Security;
using Xunit.Abstractions;

namespace Loire.Tests.Fuzzing;

/// <summary>
/// Connection strings and tokens come from configuration and, for tokens, from any caller. Whatever the text, a
/// connection string parses or fails with an ArgumentException that never repeats the key, a token parses or is
/// refused with a reason, and a token whose text was changed in any way is no longer signed by the key.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ConnectionStringFuzzTests(ITestOutputHelper output)
{
    private const string Key = "Q3JhY2sgbWUgaWYgeW91IGNhbiwgZnV6emVyIQ==";

    private static readonly Gen<string> Part = Gen.Frequency(
        (3, Gen.OneOf("Endpoint=loire://127.0.0.1:30000", "Endpoint=loire://a:1,b:2/", "Endpoint=http://x:1", "Endpoint=loire://",
            "Endpoint=loire://[::1]:30000", "Endpoint=loire://h:99999", "SharedAccessKeyName=send", "SharedAccessKey=" + Key,
            "SharedAccessSignature=SharedAccessSignature sr=q&sig=x&se=1&skn=k", "EntityPath=orders", "UseTls=true", "UseTls=maybe",
            "ClusterId=c", "TlsServerName=loire.test", "Unknown=1", "=", "SharedAccessKey=", "Endpoint")),
        (1, Gen.String[Gen.Char["=;,:/[]a1 \u0000"], 0, 16]));

    private static readonly Gen<string> ConnectionStrings = Gen.Frequency(
        (4, Part.Array[0, 6].Select(parts => string.Join(';', parts))),
        (1, Gen.String[Gen.Char, 0, 60]));

    [Fact]
    public void ConnectionStringsParseOrFailWithoutRepeatingTheKey()
    {
        long tried = 0, parsed = 0;
        ConnectionStrings.Sample(text =>
        {
            Interlocked.Increment(ref tried);
            try
            {
                var connection = LoireConnectionString.Parse(text);
                Assert.NotEmpty(connection.Gateways);
                Interlocked.Increment(ref parsed);
            }
            catch (ArgumentException e)
            {
                Assert.DoesNotContain(Key, e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(Key[..12], e.Message, StringComparison.Ordinal);
            }
        }, time: FuzzBudget.Seconds(inSuite: 2), threads: 2);

        output.WriteLine($"{tried} connection strings tried, {parsed} parsed, {tried - parsed} refused; 0 crashes, 0 key leaks");
        Assert.True(parsed > 0 && parsed < tried);
    }

    [Fact]
    public void TokensParseOrAreRefusedWithAReason()
    {
        long tried = 0;
        var tokens = Gen.Frequency(
            (2, Gen.String[Gen.Char["=&%sigrkn 0123456789SharedAcsuto"], 0, 80].Select(s => SharedAccessSignature.Scheme + " " + s)),
            (1, Gen.String[Gen.Char, 0, 80]),
            (1, Gen.Int[4000, 5000].Select(n => SharedAccessSignature.Scheme + " sr=" + new string('q', n))));
        tokens.Sample(text =>
        {
            Interlocked.Increment(ref tried);
            var token = SharedAccessSignature.TryParse(text, out var error);
            Assert.True(token is not null ^ !string.IsNullOrEmpty(error), $"token {token is not null}, error '{error}'");
        }, time: FuzzBudget.Seconds(inSuite: 2), threads: 2);

        output.WriteLine($"{tried} token texts tried; 0 crashes");
    }

    [Fact]
    public void AChangedTokenIsNoLongerSignedByTheKey()
    {
        long tried = 0, stillParsed = 0;
        var expiry = DateTimeOffset.UtcNow.AddHours(1);
        var genuine = SharedAccessSignature.Create("send", Key, "loire://127.0.0.1/orders", expiry);
        var original = SharedAccessSignature.TryParse(genuine, out _)!;
        Assert.True(original.IsSignedWith(Key));
        Gen.Select(Gen.Int[0, genuine.Length - 1], Gen.Char["abcXYZ019%=&/+ "]).Sample((at, c) =>
        {
            Interlocked.Increment(ref tried);
            var changed = genuine[..at] + c + genuine[(at + 1)..];
            if (changed == genuine || SharedAccessSignature.TryParse(changed, out _) is not { } token)
            {
                return;
            }

            Interlocked.Increment(ref stillParsed);
            // Only an edit the parser normalises away (a percent-escape, say) may still verify: same claims, same signature.
            // As in Service Bus, skn is not signed: it only picks the rule whose key must verify the signature, so a
            // token renamed to another rule fails there unless both rules share a key.
            var unchanged = token.Resource == original.Resource && token.ExpiresAt == original.ExpiresAt && token.Signature == original.Signature;
            Assert.True(unchanged || !token.IsSignedWith(Key), $"'{changed}' still verifies with other claims");
        }, time: FuzzBudget.Seconds(inSuite: 2), threads: 2);

        output.WriteLine($"{tried} one-character edits of a token tried, {stillParsed} still parsed, none verified with changed claims");
    }
}

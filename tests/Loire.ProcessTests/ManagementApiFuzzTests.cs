using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>
/// The management API's bodies, paths and query strings come from whoever reaches the HTTP port. Whatever the request,
/// a real silo answers 2xx, or 4xx with a problem+json body that names a reason, never 5xx; a refused create leaves
/// nothing behind; and the silo stays ready throughout.
/// </summary>
[Collection(SiloProcessCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class ManagementApiFuzzTests(ManagementSilo silo, ITestOutputHelper output) : IClassFixture<ManagementSilo>
{
    private const string Topic = "fuzz-topic";
    private const string Queue = "fuzz-queue";

    private sealed record Request(HttpMethod Method, string Path, string? Body, string? CreatedPath)
    {
        public override string ToString() => $"{Method} {Path} {(Body is null ? "" : Body.Length > 300 ? Body[..300] + "..." : Body)}";
    }

    private static readonly Gen<string> Name = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 1, 10].Select(s => "fz" + s)),
        (2, Gen.String[Gen.Char["ab0.-_/$ #%?&\u00e9\u0000"], 0, 12]),
        (1, Gen.Int[250, 300].Select(n => "fz" + new string('n', n))));

    private static readonly Gen<JsonElement> Scalar = Gen.Frequency(
        (2, Gen.Long.Select(v => JsonSerializer.SerializeToElement(v))),
        (1, Gen.Double.Where(double.IsFinite).Select(v => JsonSerializer.SerializeToElement(v))),
        (2, Gen.String[Gen.Char, 0, 12].Select(v => JsonSerializer.SerializeToElement(v))),
        (2, Gen.OneOf("00:00:30", "-00:00:01", "10675199.02:48:05.4775807", "99999999.00:00:00", "1.2:3:4", "", "P1D", "2026-12-03T00:00:00Z",
            "not-a-time").Select(v => JsonSerializer.SerializeToElement(v))),
        (1, Gen.OneOf("true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":{\"b\":[null]}}", "1e400", "-0", "18446744073709551616")
            .Select(v => JsonDocument.Parse(v).RootElement.Clone())));

    private static readonly string[] SettingNames =
    [
        "lockDuration", "maxDeliveryCount", "defaultMessageTimeToLive", "deadLetteringOnMessageExpiration", "requiresDuplicateDetection",
        "duplicateDetectionHistoryTimeWindow", "requiresSession", "maxSizeInMegabytes", "maxMessageCount", "partitionCount", "forwardTo",
        "forwardDeadLetteredMessagesTo", "maxMessageSizeInKilobytes", "autoDeleteOnIdle", "enableEarlyDelivery", "unknownSetting",
    ];

    private static readonly string[] MessageFields =
    [
        "body", "bodyEncoding", "messageId", "contentType", "subject", "correlationId", "replyTo", "sessionId", "partitionKey", "to",
        "timeToLive", "scheduledEnqueueTime", "applicationProperties", "sequenceNumbers", "name", "filter", "type", "sqlExpression",
    ];

    private static Gen<string> Object(string[] names) =>
        Gen.Select(Gen.OneOf(names), Scalar).Array[0, 5].Select(fields =>
            JsonSerializer.Serialize(fields.DistinctBy(f => f.Item1).ToDictionary(f => f.Item1, f => f.Item2)));

    private static readonly Gen<string> SettingsBody = Gen.Frequency(
        (3, Object(SettingNames).Select(settings => $"{{\"settings\":{settings}}}")),
        (1, Gen.Const("{}")));

    private static readonly Gen<string> RuleBody = Gen.Select(Name, Gen.OneOf("sql", "correlation", "true", "false", "nonsense", ""),
        Gen.OneOf("a = 1", "a = ", "sys.Subject LIKE 'x%'", "((((", "'", "a IN ()", "x = 'é'"), Object(MessageFields),
        (name, type, sql, correlation) => JsonSerializer.Serialize(new
        {
            name,
            filter = new { type, sqlExpression = sql, correlation = JsonDocument.Parse(correlation).RootElement },
        }));

    private static readonly Gen<string> MessageBody = Gen.Frequency(
        (3, Object(MessageFields)),
        (1, Gen.Select(Gen.OneOf("text", "base64", "hex", ""), Gen.String[Gen.Char, 0, 40],
            (encoding, body) => JsonSerializer.Serialize(new { body, bodyEncoding = encoding }))),
        (1, Gen.Long.Array[0, 4].Select(numbers => JsonSerializer.Serialize(new { sequenceNumbers = numbers }))));

    /// <summary>Valid-looking bodies, bodies cut or spliced with stray characters, garbage, and a big one.</summary>
    private static Gen<string?> Hostile(Gen<string> body) => Gen.Frequency<string?>(
        (6, body.Select(b => (string?)b)),
        (2, Gen.Select(body, Gen.Int[0, 400], Gen.Char["{}[]\",:\\\u0000\ud800"], (b, at, c) => (string?)b.Insert(Math.Min(at, b.Length), c.ToString()))),
        (1, Gen.Select(body, Gen.Int[0, 400], (b, length) => (string?)b[..Math.Min(length, b.Length)])),
        (1, Gen.String[Gen.Char, 0, 40].Select(s => (string?)s)),
        (1, Gen.OneOf<string?>(null, "", "null", "[]", "\"text\"", new string('[', 10_000), "{\"settings\":" + new string('x', 300_000) + "}")));

    private static readonly Gen<string> Query = Gen.Select(Gen.OneOf("fromSequenceNumber", "maxCount", "subQueue", "previewBytes", "prefix",
        "continuation", "kind", "pageSize"), Gen.OneOf("1", "-1", "0", "99999999999999999999", "deadletter", "x", "%00", ""), (k, v) => $"{k}={v}")
        .Array[0, 3].Select(parts => parts.Length == 0 ? "" : "?" + string.Join("&", parts));

    private static string Escaped(string name) => Uri.EscapeDataString(name);

    private static readonly Gen<Request> Requests = Gen.Frequency(
        (3, Gen.Select(Name, Hostile(SettingsBody), (n, b) => new Request(HttpMethod.Put, $"queues/{Escaped(n)}", b, n))),
        (2, Gen.Select(Name, Hostile(SettingsBody), (n, b) => new Request(HttpMethod.Put, $"topics/{Escaped(n)}", b, n))),
        (2, Gen.Select(Name, Hostile(SettingsBody), (n, b) => new Request(HttpMethod.Put, $"topics/{Topic}/subscriptions/{Escaped(n)}", b, null))),
        (2, Hostile(RuleBody).Select(b => new Request(HttpMethod.Post, $"topics/{Topic}/subscriptions/s/rules", b, null))),
        (1, Gen.Select(Name, Hostile(RuleBody), (n, b) => new Request(HttpMethod.Put, $"topics/{Topic}/subscriptions/s/rules/{Escaped(n)}", b, null))),
        (3, Hostile(MessageBody).Select(b => new Request(HttpMethod.Post, $"queues/{Queue}/messages", b, null))),
        (1, Hostile(MessageBody).Select(b => new Request(HttpMethod.Post, $"topics/{Topic}/messages", b, null))),
        (1, Hostile(MessageBody).Select(b => new Request(HttpMethod.Post, $"queues/{Queue}/deadletters/resubmit", b, null))),
        (1, Hostile(MessageBody).Select(b => new Request(HttpMethod.Post, $"queues/{Queue}/scheduled/cancel", b, null))),
        (2, Query.Select(q => new Request(HttpMethod.Get, $"queues/{Queue}/messages{q}", null, null))),
        (1, Query.Select(q => new Request(HttpMethod.Get, $"entities{q}", null, null))),
        (1, Query.Select(q => new Request(HttpMethod.Post, $"queues/{Queue}/purge{q}", null, null))),
        (1, Name.Select(n => new Request(HttpMethod.Get, $"queues/{Escaped(n)}/runtime", null, null))));

    [Fact]
    public async Task EveryRequestIsAnsweredOrRefusedWithAReason()
    {
        await silo.SendAsync(HttpMethod.Put, $"queues/{Queue}", "{}");
        await silo.SendAsync(HttpMethod.Put, $"topics/{Topic}", "{}");
        await silo.SendAsync(HttpMethod.Put, $"topics/{Topic}/subscriptions/s", "{}");
        var statuses = new Dictionary<int, int>();
        await Requests.SampleAsync(async request =>
        {
            var existed = request.CreatedPath is { } created && await ExistsAsync(request.Path);
            var status = await SendAsync(request);
            lock (statuses)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }

            if (request.CreatedPath is not null && status >= 400 && !existed)
            {
                Assert.False(await ExistsAsync(request.Path), "a refused create left the entity behind");
            }

            if (request.CreatedPath is not null && status < 300)
            {
                Assert.Equal(204, (int)(await silo.Http.DeleteAsync(request.Path)).StatusCode);
            }
        }, time: Budget(inSuite: 5), threads: 1, print: r => r.ToString());

        var ready = await new HttpClient { BaseAddress = silo.Http.BaseAddress }.GetAsync("../../health/ready");
        Assert.Equal(200, (int)ready.StatusCode);
        output.WriteLine($"{statuses.Values.Sum()} requests tried: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}; " +
            "0 server errors, 0 hangs");
        Assert.Contains(statuses.Keys, s => s < 300);
        Assert.Contains(statuses.Keys, s => s >= 400);
    }

    private async Task<int> SendAsync(Request request)
    {
        using var message = new HttpRequestMessage(request.Method, request.Path);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var response = await silo.Http.SendAsync(message);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status < 500, $"{status}: {text}");
        if (status == 400 && request.Path.Contains("%00", StringComparison.Ordinal))
        {
            // Kestrel itself refuses a NUL in the path, before any endpoint sees the request.
            return status;
        }

        if (status >= 400 && status != 404 && status != 405)
        {
            // 404/405 for a path no endpoint serves come from routing; every refusal of an endpoint is a problem document.
            Assert.True(response.Content.Headers.ContentType is not null, $"{status} without a body for {request}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(text);
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("reason").GetString()), text);
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()), text);
        }

        return status;
    }

    private async Task<bool> ExistsAsync(string path) => (await silo.Http.GetAsync(path)).IsSuccessStatusCode;

    private static int Budget(int inSuite) =>
        int.TryParse(Environment.GetEnvironmentVariable("LOIRE_FUZZ_SECONDS"), out var seconds) && seconds > 0 ? seconds : inSuite;
}

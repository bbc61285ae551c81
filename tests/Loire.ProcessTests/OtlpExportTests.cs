using System.Diagnostics;
using System.Net;
using System.Text;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>A silo started with <c>--otlp-endpoint</c> posts the broker's spans, in the sender's trace, to that collector.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class OtlpExportTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task TheSiloExportsItsCommitSpanInTheTraceTheMessageCarries()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        // A stand-in collector: OTLP http/protobuf posts to /v1/traces; protobuf keeps names as UTF-8 and ids as raw bytes.
        var port = FreePorts.Pick(1)[0];
        using var collector = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        collector.Start();
        var traceId = ActivityTraceId.CreateRandom();
        var exported = ReceiveTraceExportAsync(collector, Encoding.UTF8.GetBytes("Loire.Commit"), Convert.FromHexString(traceId.ToHexString()), ct);

        await using var silo = await SiloProcess.StartAsync(log, ["--otlp-endpoint", $"http://127.0.0.1:{port}", "--otlp-protocol", "http"], ct);
        Assert.Contains($"over OTLP Http to http://127.0.0.1:{port}/v1/traces", silo.Output);
        await using (var client = new LoireClient(silo.Gateway))
        {
            await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions("otlp"), ct);
            var message = new LoireMessage("traced"u8.ToArray());
            message.ApplicationProperties["traceparent"] = $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
            await client.CreateSender("otlp").SendMessageAsync(message, ct);
        }

        // The batch exporter sends every 5 s by default.
        var path = await exported.WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.Equal("/v1/traces", path);
    }

    /// <summary>Answers every post with 200 and completes with the path of the first body holding the span name and the trace id.</summary>
    private static async Task<string> ReceiveTraceExportAsync(HttpListener collector, byte[] name, byte[] traceId, CancellationToken ct)
    {
        while (true)
        {
            var context = await collector.GetContextAsync().WaitAsync(ct);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, ct);
            context.Response.StatusCode = 200;
            context.Response.Close();
            var bytes = body.ToArray();
            if (bytes.AsSpan().IndexOf(name) >= 0 && bytes.AsSpan().IndexOf(traceId) >= 0)
            {
                return context.Request.Url!.AbsolutePath;
            }
        }
    }
}

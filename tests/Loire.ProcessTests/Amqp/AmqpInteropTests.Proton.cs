using System.Diagnostics;
using System.Text.Json.Nodes;
using Loire.Client;
using Loire.ProcessTests.Infrastructure;
using static Loire.ProcessTests.Amqp.AmqpSilo;

namespace Loire.ProcessTests.Amqp;

/// <summary>Qpid Proton (Debian's python3-qpid-proton, installed by test.sh) in a Python process, interoperating with the .NET client on the same queue.</summary>
public sealed partial class AmqpInteropTests
{
    [Fact]
    public async Task PythonSendsAndTheLoireClientReceives()
    {
        var queue = await silo.CreateQueueAsync("proton/inbound");
        var run = await RunScriptAsync("send", queue, "4");
        Assert.Equal(["sent 4"], run.StandardOutput);

        var receiver = silo.Client.CreateReceiver(queue);
        var received = new List<LoireReceivedMessage>();
        while (received.Count < 4 && await receiver.ReceiveMessagesAsync(4, Wait) is { Count: > 0 } batch)
        {
            received.AddRange(batch);
        }

        Assert.Equal(["py-0", "py-1", "py-2", "py-3"], received.Select(m => m.MessageId));
        for (var i = 0; i < received.Count; i++)
        {
            var message = received[i];
            Assert.Equal($"python-{i}", message.Body.ToString());
            Assert.Equal($"corr-{i}", message.CorrelationId);
            Assert.Equal("from.python", message.Subject);
            Assert.Equal("text/plain", message.ContentType);
            Assert.Equal("replies", message.ReplyTo);
            Assert.Equal($"group-{i}", message.SessionId);
            Assert.Equal(TimeSpan.FromMinutes(1), message.TimeToLive);
            Assert.Equal(i, Convert.ToInt32(message.ApplicationProperties["index"]));
            Assert.Equal("python", message.ApplicationProperties["lang"]);
            Assert.Equal(0.5, message.ApplicationProperties["ratio"]);
            Assert.Equal(true, message.ApplicationProperties["ok"]);
        }

        await receiver.CompleteMessagesAsync(received);
    }

    /// <remarks>Proton lowers its credit while messages are in flight, which the receive link must count right or stall.</remarks>
    [Fact]
    public async Task TheLoireClientSendsAndPythonReceives()
    {
        var queue = await silo.CreateQueueAsync("proton/outbound");
        var sender = silo.Client.CreateSender(queue);
        for (var i = 0; i < 4; i++)
        {
            await sender.SendMessageAsync(new LoireMessage($"dotnet-{i}")
            {
                MessageId = $"net-{i}", CorrelationId = "corr", Subject = "from.dotnet", ContentType = "text/plain",
                ReplyTo = "replies", SessionId = "group", ApplicationProperties = { ["index"] = i, ["lang"] = "csharp" },
            });
        }

        var run = await RunScriptAsync("receive", queue, "4");
        var lines = run.StandardOutput.Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Equal(["net-0", "net-1", "net-2", "net-3"], lines.Select(l => (string?)l["id"]));
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            Assert.Equal($"dotnet-{i}", (string?)line["body"]);
            Assert.Equal("corr", (string?)line["correlation_id"]);
            Assert.Equal("from.dotnet", (string?)line["subject"]);
            Assert.Equal("text/plain", (string?)line["content_type"]);
            Assert.Equal("replies", (string?)line["reply_to"]);
            Assert.Equal("group", (string?)line["group_id"]);
            Assert.Equal(i, (int?)line["properties"]!["index"]);
            Assert.Equal("csharp", (string?)line["properties"]!["lang"]);
            Assert.Equal(0, (int?)line["delivery_count"]);
            Assert.True((long?)line["sequence_number"] > 0);
        }

        // Proton accepted each one: the queue is empty.
        await EventuallyAsync(async () => (await silo.Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount == 0, "proton's accepts complete the messages");
    }

    [Fact]
    public async Task PythonIsRefusedAMissingEntityWithNotFound()
    {
        var run = await RunScriptAsync("missing", "proton/missing");
        Assert.Equal(["amqp:not-found"], run.StandardOutput);
    }

    private async Task<ToolRun> RunScriptAsync(params string[] args)
    {
        // Debian's interpreter, where python3-qpid-proton installs; a python3 earlier on PATH may not have it.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : ExecutableSearch.Find("python3")
            ?? throw new InvalidOperationException("python3 is not installed (test.sh installs python3-qpid-proton).");
        var info = new ProcessStartInfo(python);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Amqp", "proton_interop.py"));
        info.ArgumentList.Add(args[0]);
        info.ArgumentList.Add(silo.Url);
        foreach (var arg in args[1..])
        {
            info.ArgumentList.Add(arg);
        }

        var run = await ToolProcess.RunAsync(info, TimeSpan.FromSeconds(60), "proton script");
        Assert.True(run.ExitCode == 0, $"The proton script failed ({run.ExitCode}):{Environment.NewLine}{run.Output}");
        return run;
    }
}

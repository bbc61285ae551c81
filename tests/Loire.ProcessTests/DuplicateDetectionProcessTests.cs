using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>Duplicate-detection history across a SIGKILL of the silo process.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class DuplicateDetectionProcessTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task KilledSiloStillRecognisesAcknowledgedMessageIds()
    {
        const string queue = "dedup-kill";
        const string topic = "dedup-kill-topic";
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(log, ct);

        await using (var client = new LoireClient(silo.Gateway))
        {
            var admin = client.CreateAdministrationClient();
            await admin.CreateQueueAsync(new CreateQueueOptions(queue) { RequiresDuplicateDetection = true }, ct);
            await admin.CreateTopicAsync(new CreateTopicOptions(topic) { RequiresDuplicateDetection = true }, ct);
            await admin.CreateSubscriptionAsync(topic, "s", ct);
            await client.CreateSender(queue).SendMessagesAsync(Enumerable.Range(0, 100).Select(Message), ct);
            await client.CreateSender(topic).SendMessagesAsync(Enumerable.Range(0, 100).Select(Message), ct);
        }

        await silo.KillAsync();
        await silo.RestartAsync(ct);

        await using var reconnected = new LoireClient(silo.Gateway);
        // Every acknowledged MessageId is still known; only the new ones are stored.
        await reconnected.CreateSender(queue).SendMessagesAsync(Enumerable.Range(50, 100).Select(Message), ct);
        await reconnected.CreateSender(topic).SendMessagesAsync(Enumerable.Range(50, 100).Select(Message), ct);

        var admin2 = reconnected.CreateAdministrationClient();
        Assert.Equal(150, (await admin2.GetQueueRuntimePropertiesAsync(queue, ct)).TotalMessageCount);
        Assert.Equal(150, (await admin2.GetSubscriptionRuntimePropertiesAsync(topic, "s", ct)).TotalMessageCount);
    }

    private static LoireMessage Message(int i) => new($"body-{i}") { MessageId = $"m-{i}" };
}

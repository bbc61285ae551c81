using Loire.Client;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Processing;

/// <summary>
/// Stopping while a message arrives: the long poll in flight is cancelled at the very moment the broker hands it a
/// message. Nothing may stay locked, and no parked long poll may outlive the processor and swallow a later message.
/// </summary>
public static class ProcessorStopRace
{
    public const int Rounds = 20;

    /// <summary>
    /// Each round: start, let the long poll park, send, stop 0–3 ms later; then (when <paramref name="checkLocks"/>)
    /// check that nothing is locked, and check that a probe sent afterwards is not taken by a parked long poll.
    /// </summary>
    public static async Task RunAsync(LoireClient client, bool checkLocks)
    {
        var admin = client.CreateAdministrationClient();
        var failures = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var queue = await admin.CreateTestQueueAsync(test: "processor-stop-race");
            await using var sender = client.CreateSender(queue);
            await using (var processor = client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 2, PrefetchCount = 3 }))
            {
                processor.ProcessMessageAsync += _ => Task.CompletedTask;
                processor.ProcessErrorAsync += _ => Task.CompletedTask;
                await processor.StartProcessingAsync();

                // Timing is the point of this test: the stop must meet the message on its way to the parked poll.
                await Task.Delay(50);
                var send = sender.SendMessageAsync(QueueTestKit.Message("racing"));
                await Task.Delay(round % 4);
                await processor.StopProcessingAsync();
                await send;
            }

            var properties = await admin.GetQueueRuntimePropertiesAsync(queue);
            if (checkLocks && properties.LockedMessageCount != 0)
            {
                failures.Add($"round {round}: locked after stop {QueueTestKit.Describe(properties)}");
            }

            await sender.SendMessageAsync(QueueTestKit.Message("probe"));
            await using var receiver = client.CreateReceiver(queue);
            var received = await receiver.ReceiveMessagesAsync(10, TimeSpan.FromSeconds(1));
            if (!received.Any(m => m.MessageId == "probe"))
            {
                failures.Add($"round {round}: a parked long poll of the stopped processor took the probe");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}

/// <summary>The race against the fixture's client, configured as LoireClient configures its gateway client.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorStopRaceTests(ClusterFixture fixture)
{
    /// <summary>
    /// A cancelled long poll whose answer (messages just locked for it) is on its way must deliver that answer, which
    /// needs <c>WaitForCancellationAcknowledgement</c> on the client (the fixture sets it as the gateway client does).
    /// </summary>
    [Fact]
    public Task StoppingWhileAMessageArrivesLeavesNothingLocked() => ProcessorStopRace.RunAsync(fixture.Client, checkLocks: true);

    /// <summary>
    /// Orleans drops a cancellation that reaches the silo before its request; the processor therefore never cancels a
    /// receive call younger than 50 ms, so no long poll stays parked on the broker after the processor stopped.
    /// </summary>
    [Fact]
    public Task StoppingWhileAMessageArrivesLeavesNoParkedLongPollBehind() => ProcessorStopRace.RunAsync(fixture.Client, checkLocks: false);
}

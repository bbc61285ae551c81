using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

/// <summary>How promptly scheduled messages become visible (the single-message cases are in <see cref="QueueExpiryAndSchedulingTests"/>).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ScheduledVisibilityTests(ClusterFixture fixture)
{
    private static readonly TimeSpan MaxLateness = TimeSpan.FromSeconds(1);

    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task StaggeredScheduledMessagesEachBecomeVisibleWithinOneSecondOfTheirTime()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var start = DateTimeOffset.UtcNow;

        // Scheduled out of order, and one batch of two sharing a time.
        var due = new Dictionary<string, DateTimeOffset>
        {
            ["third"] = start.AddSeconds(2.6),
            ["first"] = start.AddSeconds(1.0),
            ["second-a"] = start.AddSeconds(1.7),
            ["second-b"] = start.AddSeconds(1.7),
        };
        await sender.ScheduleMessageAsync(Message("third"), due["third"]);
        await sender.ScheduleMessageAsync(Message("first"), due["first"]);
        await sender.ScheduleMessagesAsync([Message("second-a"), Message("second-b")], due["second-a"]);
        Assert.Equal(4, (await _admin.GetQueueRuntimePropertiesAsync(queue)).ScheduledMessageCount);

        // A receiver parked on the queue sees each message as soon as the broker makes it visible.
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var arrivals = new List<(string Id, DateTimeOffset At)>();
        while (arrivals.Count < due.Count)
        {
            var batch = await receiver.ReceiveMessagesAsync(10, Patience);
            var at = DateTimeOffset.UtcNow;
            Assert.NotEmpty(batch);
            foreach (var message in batch)
            {
                arrivals.Add((message.MessageId!, at));
                Assert.Equal(due[message.MessageId!], message.ScheduledEnqueueTime);
                await receiver.CompleteMessageAsync(message);
            }
        }

        Assert.Equal(["first", "second-a", "second-b", "third"], arrivals.Select(a => a.Id));
        Assert.All(arrivals, a =>
        {
            var lateness = a.At - due[a.Id];
            Assert.True(lateness >= -TimeSpan.FromMilliseconds(50), $"{a.Id} was received {-lateness} before its time.");
            Assert.True(lateness < MaxLateness, $"{a.Id} was received {lateness} after its time.");
        });
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }
}

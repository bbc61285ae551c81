using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Routing.RoutingTestKit;

namespace Loire.Tests.Routing;

[Collection(ClusterCollection.Name)]
public sealed class QuotaBatchTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task BatchThatWouldCrossTheSizeLimitIsRefusedWhole()
    {
        var queue = await _admin.NewQueueAsync("q", o => o.MaxSizeInMegabytes = 1);
        await using var sender = fixture.Client.CreateSender(queue);
        LoireMessage Big(string id) => new(new byte[200 * 1024]) { MessageId = id };
        await sender.SendMessagesAsync([Big("a"), Big("b"), Big("c")]);
        var before = await _admin.GetQueueRuntimePropertiesAsync(queue);

        // 3 × 200 KiB held; 3 more would pass 1 MiB although the first of them alone would fit.
        await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded, () => sender.SendMessagesAsync([Big("d"), Big("e"), Big("f")]));

        var after = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(after.TotalMessageCount == 3 && after.SizeInBytes == before.SizeInBytes, Describe(after));
        await sender.SendMessagesAsync([Big("d"), Big("e")]);
        Assert.Equal(["a", "b", "c", "d", "e"], (await DrainAsync(fixture.Client, queue, 5)).Select(m => m.MessageId));
    }

    [Fact]
    public async Task DuplicatesDoNotCountAgainstTheQuota()
    {
        var queue = await _admin.NewQueueAsync("q", o =>
        {
            o.MaxMessageCount = 2;
            o.RequiresDuplicateDetection = true;
        });
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync([Message("a"), Message("b")]);

        // Full, yet resends of accepted MessageIds succeed: they store nothing.
        await sender.SendMessagesAsync([Message("a"), Message("b"), Message("a")]);
        await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded, () => sender.SendMessagesAsync([Message("a"), Message("c")]));

        Assert.Equal(2, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        // The refused batch did not make "c" known: once there is room it is stored.
        await DrainAsync(fixture.Client, queue, 2);
        await sender.SendMessageAsync(Message("c"));
        Assert.Equal(["c"], Ids(await DrainAsync(fixture.Client, queue, 1)));
    }
}

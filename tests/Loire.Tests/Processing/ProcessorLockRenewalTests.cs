using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Processing;

/// <summary>The processor renews the lock of a message while its handler runs.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorLockRenewalTests(ClusterFixture fixture)
{
    private static readonly TimeSpan ShortLock = TimeSpan.FromSeconds(2);

    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task AHandlerRunningLongerThanTheLockCompletesBecauseTheLockIsRenewed()
    {
        var queue = await _admin.CreateQueueAsync(o => o.LockDuration = ShortLock);
        await SendNumberedAsync(_client, queue, 1);
        var deliveries = new ConcurrentQueue<int>();
        var handled = new TaskCompletionSource<(DateTimeOffset First, DateTimeOffset Last)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += async args =>
        {
            deliveries.Enqueue(args.Message.DeliveryCount);
            var firstLockedUntil = args.Message.LockedUntil;

            // The work itself: well beyond the 2 s lock.
            await Task.Delay(TimeSpan.FromSeconds(5));
            handled.TrySetResult((firstLockedUntil, args.Message.LockedUntil));
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        var (first, last) = await handled.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        errors.AssertNone();
        Assert.True(last > first + TimeSpan.FromSeconds(2), $"The lock was not renewed: first {first:O}, last {last:O}");
        Assert.Equal([1], deliveries.ToArray());
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task WithRenewalDisabledALongHandlerLosesTheLockAndTheCompletionIsReported()
    {
        var queue = await _admin.CreateQueueAsync(o => o.LockDuration = ShortLock);
        await SendNumberedAsync(_client, queue, 1);
        var deliveries = new ConcurrentQueue<int>();
        var redelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxAutoLockRenewalDuration = TimeSpan.Zero });
        processor.ProcessMessageAsync += async args =>
        {
            deliveries.Enqueue(args.Message.DeliveryCount);
            if (args.Message.DeliveryCount == 1)
            {
                // Outlives the lock; nothing renews it.
                await Task.Delay(ShortLock + TimeSpan.FromSeconds(1.5));
            }
            else
            {
                redelivered.TrySetResult();
            }
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        var error = await errors.First.WaitAsync(Patience);
        await redelivered.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        Assert.Equal(LoireErrorSource.Complete, error.ErrorSource);
        Assert.Equal(LoireErrorReason.MessageLockLost, Assert.IsType<LoireException>(error.Exception).Reason);
        Assert.Equal([1, 2], deliveries.ToArray());
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }
}

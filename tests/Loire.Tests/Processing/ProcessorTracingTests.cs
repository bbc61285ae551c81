using System.Collections.Concurrent;
using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Processing;

/// <summary>Each processed message gets a "Loire.Process" consumer span in the sender's trace.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorTracingTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task TheProcessSpanContinuesTheSendersTrace()
    {
        var queue = await _admin.CreateQueueAsync();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Loire",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("messaging.destination.name"), queue))
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        ActivityTraceId sentTrace;
        using (var root = new Activity("test-root").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            sentTrace = root.TraceId;
            await using var sender = _client.CreateSender(queue);
            await sender.SendMessageAsync(QueueTestKit.Message("traced"));
        }

        var inHandler = new TaskCompletionSource<(string? Name, ActivityTraceId TraceId)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += _ =>
        {
            inHandler.TrySetResult((Activity.Current?.OperationName, Activity.Current?.TraceId ?? default));
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        var (name, traceId) = await inHandler.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        errors.AssertNone();
        Assert.Equal("Loire.Process", name);
        Assert.Equal(sentTrace, traceId);
        var process = Assert.Single(stopped, a => a.OperationName == "Loire.Process");
        var send = Assert.Single(stopped, a => a.OperationName == "Loire.Send");
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(send.SpanId, process.ParentSpanId);
        Assert.Equal("traced", process.GetTagItem("messaging.message.id"));
    }
}

using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Queues;

namespace Loire.Tests.Processing;

/// <summary>Helpers shared by the processor tests. Everything goes through the public client.</summary>
internal static class ProcessorTestKit
{
    /// <summary>How long a test waits for something it expects; generous, since a passing test never waits this long.</summary>
    public static readonly TimeSpan Patience = QueueTestKit.Patience;

    /// <summary>Sends <paramref name="count"/> messages <c>m-0</c> … <c>m-{count-1}</c> (MessageId and body) in one batch.</summary>
    public static async Task<string[]> SendNumberedAsync(LoireClient client, string queueOrTopic, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"m-{i}").ToArray();
        await using var sender = client.CreateSender(queueOrTopic);
        await sender.SendMessagesAsync(ids.Select(QueueTestKit.Message));
        return ids;
    }

    /// <summary>True when <paramref name="task"/> completes within <paramref name="window"/>; an observation window, not a synchronisation.</summary>
    public static async Task<bool> CompletesWithinAsync(Task task, TimeSpan window)
    {
        var finished = await Task.WhenAny(task, Task.Delay(window));
        return ReferenceEquals(finished, task);
    }

    /// <summary>Receives (and completes) messages until <paramref name="expected"/> arrived or <paramref name="within"/> passed, then once more without waiting.</summary>
    public static async Task<List<LoireReceivedMessage>> ReceiveAndCompleteAsync(LoireReceiver receiver, int expected, TimeSpan within)
    {
        var received = new List<LoireReceivedMessage>();
        var deadline = DateTimeOffset.UtcNow + within;
        while (received.Count < expected)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            received.AddRange(await receiver.ReceiveMessagesAsync(100, remaining));
        }

        received.AddRange(await receiver.ReceiveMessagesAsync(100, TimeSpan.Zero));
        if (received.Count > 0)
        {
            await receiver.CompleteMessagesAsync(received);
        }

        return received;
    }

    /// <summary>Fails if the queue's locked message count goes above <paramref name="most"/> during <paramref name="window"/>; an observation window, not a synchronisation.</summary>
    public static async Task AssertLockedStaysAtMostAsync(this LoireAdministrationClient admin, string queue, long most, TimeSpan window)
    {
        var observeUntil = DateTimeOffset.UtcNow + window;
        while (DateTimeOffset.UtcNow < observeUntil)
        {
            var properties = await admin.GetQueueRuntimePropertiesAsync(queue);
            Assert.True(properties.LockedMessageCount <= most, QueueTestKit.Describe(properties));
            await Task.Delay(50);
        }
    }

    /// <summary>Creates a queue named after the calling test.</summary>
    public static Task<string> CreateQueueAsync(this LoireAdministrationClient admin, Action<CreateQueueOptions>? configure = null,
        [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        admin.CreateTestQueueAsync(configure, "processor-" + test);
}

/// <summary>Collects what a processor reports to its error handler.</summary>
internal sealed class ErrorCollector
{
    private readonly ConcurrentQueue<ProcessErrorEventArgs> _errors = new();
    private readonly TaskCompletionSource<ProcessErrorEventArgs> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<ProcessErrorEventArgs> Errors => _errors;

    /// <summary>Completes with the first error reported.</summary>
    public Task<ProcessErrorEventArgs> First => _first.Task;

    public Task Handler(ProcessErrorEventArgs args)
    {
        _errors.Enqueue(args);
        _first.TrySetResult(args);
        return Task.CompletedTask;
    }

    /// <summary>Fails the test when anything was reported, listing what.</summary>
    public void AssertNone()
    {
        Assert.True(_errors.IsEmpty, "The processor reported errors: " +
            string.Join("; ", _errors.Select(e => $"[{e.ErrorSource}] {e.Exception.GetType().Name}: {e.Exception.Message}")));
    }
}

using System.Runtime.CompilerServices;
using Loire.Client;
using Loire.Client.Administration;

namespace Loire.Tests.Queues;

/// <summary>Helpers shared by the queue tests. Everything goes through the public client.</summary>
internal static class QueueTestKit
{
    /// <summary>How long a test waits for something it expects; generous, since a passing test never waits this long.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A queue path no other test (or earlier run) uses, named after the calling test.</summary>
    public static string NewQueueName([CallerMemberName] string test = "") =>
        $"queues/{test}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Creates a queue named after the calling test, with options set by <paramref name="configure"/>; returns its path.</summary>
    public static async Task<string> CreateTestQueueAsync(
        this LoireAdministrationClient admin,
        Action<CreateQueueOptions>? configure = null,
        [CallerMemberName] string test = "")
    {
        var options = new CreateQueueOptions(NewQueueName(test));
        configure?.Invoke(options);
        await admin.CreateQueueAsync(options);
        return options.Name;
    }

    /// <summary>Runs <paramref name="action"/> and returns the <see cref="LoireException"/> it must throw with <paramref name="reason"/>.</summary>
    public static async Task<LoireException> ThrowsLoireAsync(LoireErrorReason reason, Func<Task> action)
    {
        var exception = await Assert.ThrowsAsync<LoireException>(action);
        Assert.True(exception.Reason == reason, $"Expected reason {reason} but got {exception.Reason}: {exception.Message}");
        return exception;
    }

    /// <summary>Same, for a synchronous action.</summary>
    public static LoireException ThrowsLoire(LoireErrorReason reason, Action action)
    {
        var exception = Assert.Throws<LoireException>(action);
        Assert.True(exception.Reason == reason, $"Expected reason {reason} but got {exception.Reason}: {exception.Message}");
        return exception;
    }

    /// <summary>A message whose MessageId and body are <paramref name="id"/>.</summary>
    public static LoireMessage Message(string id) => new(id) { MessageId = id };

    /// <summary>Collects an async sequence.</summary>
    public static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>
    /// Receives until <paramref name="expectedCount"/> messages have arrived or <see cref="Patience"/> passes, then
    /// once more without waiting so that unexpected extras show up too.
    /// </summary>
    public static async Task<List<LoireReceivedMessage>> ReceiveAtLeastAsync(LoireReceiver receiver, int expectedCount, int batchSize = 100)
    {
        var received = new List<LoireReceivedMessage>();
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (received.Count < expectedCount)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            received.AddRange(await receiver.ReceiveMessagesAsync(batchSize, remaining));
        }

        while (true)
        {
            var extra = await receiver.ReceiveMessagesAsync(batchSize, TimeSpan.Zero);
            if (extra.Count == 0)
            {
                return received;
            }

            received.AddRange(extra);
        }
    }

    /// <summary>The queue's runtime properties once <paramref name="condition"/> holds; fails with the last value after <see cref="Patience"/>.</summary>
    public static Task<QueueRuntimeProperties> RuntimePropertiesWhenAsync(
        this LoireAdministrationClient admin, string queue, Func<QueueRuntimeProperties, bool> condition, string what) =>
        Eventually.ValueAsync(() => admin.GetQueueRuntimePropertiesAsync(queue), condition, what, Describe);

    public static string Describe(QueueRuntimeProperties p) =>
        $"{{Active:{p.ActiveMessageCount}, DeadLetter:{p.DeadLetterMessageCount}, Scheduled:{p.ScheduledMessageCount}, " +
        $"Deferred:{p.DeferredMessageCount}, Locked:{p.LockedMessageCount}, Total:{p.TotalMessageCount}, Size:{p.SizeInBytes}}}";
}

/// <summary>Poll-with-timeout helpers, for conditions that become true by themselves (expiry, scheduling).</summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls until <paramref name="condition"/> returns true; false when <paramref name="timeout"/> passes first.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="condition"/> holds and returns that value; fails the test after <see cref="QueueTestKit.Patience"/>.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, Func<T, string>? describe = null)
    {
        var deadline = DateTimeOffset.UtcNow + QueueTestKit.Patience;
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}; last value: {(describe is null ? value?.ToString() : describe(value))}");
            }

            await Task.Delay(PollInterval);
        }
    }
}

using Loire.Client;
using Loire.Client.Administration;

namespace Loire.Tests.Topics;

/// <summary>Helpers shared by the topic tests. Everything goes through the public client.</summary>
internal static class TopicTestKit
{
    /// <summary>How long a test waits for a message it expects; generous, since a pass never waits this long.</summary>
    public static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A topic path no other test (or earlier run against the same store) uses.</summary>
    public static string NewTopicName(string purpose) => $"topics/{purpose}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Creates a topic with a fresh name and returns the name.</summary>
    public static async Task<string> CreateFreshTopicAsync(this LoireAdministrationClient admin, string purpose)
    {
        var name = NewTopicName(purpose);
        await admin.CreateTopicAsync(new CreateTopicOptions(name));
        return name;
    }

    /// <summary>Runs <paramref name="action"/> and returns the <see cref="LoireException"/> it must throw with <paramref name="reason"/>.</summary>
    public static async Task<LoireException> ThrowsLoireAsync(LoireErrorReason reason, Func<Task> action)
    {
        var exception = await Assert.ThrowsAsync<LoireException>(action);
        Assert.True(exception.Reason == reason, $"Expected reason {reason} but got {exception.Reason}: {exception.Message}");
        return exception;
    }

    /// <summary>Same, for a synchronous action (e.g. creating a sender or receiver for a bad path).</summary>
    public static LoireException ThrowsLoire(LoireErrorReason reason, Action action)
    {
        var exception = Assert.Throws<LoireException>(action);
        Assert.True(exception.Reason == reason, $"Expected reason {reason} but got {exception.Reason}: {exception.Message}");
        return exception;
    }

    /// <summary>
    /// Receives (and removes) messages until <paramref name="expectedCount"/> have arrived or <see cref="ArrivalTimeout"/>
    /// passes, then takes whatever else is immediately available, so extras show up in the result. Returns their
    /// MessageIds, sorted.
    /// </summary>
    public static async Task<string[]> DrainIdsAsync(LoireClient client, string topic, string subscription, int expectedCount)
    {
        var messages = await DrainAsync(client, topic, subscription, expectedCount);
        return messages.Select(m => m.MessageId!).Order(StringComparer.Ordinal).ToArray();
    }

    /// <inheritdoc cref="DrainIdsAsync"/>
    public static async Task<List<LoireReceivedMessage>> DrainAsync(LoireClient client, string topic, string subscription, int expectedCount)
    {
        await using var receiver = client.CreateReceiver(topic, subscription, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        return await ReceiveAtLeastAsync(receiver, expectedCount);
    }

    /// <summary>
    /// Receives until <paramref name="expectedCount"/> messages have arrived or the timeout passes, then once more
    /// without waiting so that unexpected extra messages are returned too.
    /// </summary>
    public static async Task<List<LoireReceivedMessage>> ReceiveAtLeastAsync(LoireReceiver receiver, int expectedCount, TimeSpan? timeout = null)
    {
        var received = new List<LoireReceivedMessage>();
        var deadline = DateTimeOffset.UtcNow + (timeout ?? ArrivalTimeout);
        while (received.Count < expectedCount)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            received.AddRange(await receiver.ReceiveMessagesAsync(expectedCount - received.Count + 10, remaining));
        }

        while (true)
        {
            var extra = await receiver.ReceiveMessagesAsync(100, TimeSpan.Zero);
            if (extra.Count == 0)
            {
                return received;
            }

            received.AddRange(extra);
        }
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="condition"/> holds, failing with the last value after <paramref name="timeout"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? ArrivalTimeout);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}; last value: {value}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Collects an async sequence.</summary>
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>A message with an id and application properties.</summary>
    public static LoireMessage Message(string id, params (string Key, object Value)[] properties)
    {
        var message = new LoireMessage("body of " + id) { MessageId = id };
        foreach (var (key, value) in properties)
        {
            message.ApplicationProperties[key] = value;
        }

        return message;
    }
}

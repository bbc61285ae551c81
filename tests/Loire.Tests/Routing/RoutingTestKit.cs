using System.Runtime.CompilerServices;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Queues;

namespace Loire.Tests.Routing;

/// <summary>Helpers of the duplicate-detection, forwarding and dead-letter tool tests.</summary>
internal static class RoutingTestKit
{
    /// <summary>An entity path no other test (or earlier run) uses, named after the calling test.</summary>
    public static string NewName(string role = "q", [CallerMemberName] string test = "") =>
        $"routing/{test}-{role}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Creates a queue named after the calling test and <paramref name="role"/>; returns its path.</summary>
    public static async Task<string> NewQueueAsync(this LoireAdministrationClient admin, string role,
        Action<CreateQueueOptions>? configure = null, [CallerMemberName] string test = "")
    {
        var options = new CreateQueueOptions(NewName(role, test));
        configure?.Invoke(options);
        await admin.CreateQueueAsync(options);
        return options.Name;
    }

    /// <summary>Creates a topic named after the calling test and <paramref name="role"/>; returns its path.</summary>
    public static async Task<string> NewTopicAsync(this LoireAdministrationClient admin, string role,
        Action<CreateTopicOptions>? configure = null, [CallerMemberName] string test = "")
    {
        var options = new CreateTopicOptions(NewName(role, test));
        configure?.Invoke(options);
        await admin.CreateTopicAsync(options);
        return options.Name;
    }

    /// <summary>Receives and completes everything that arrives in the queue (or sub-queue) until <paramref name="expectedCount"/> came or patience ran out, then whatever else is there.</summary>
    public static async Task<List<LoireReceivedMessage>> DrainAsync(LoireClient client, string queue, int expectedCount, SubQueue subQueue = SubQueue.None)
    {
        await using var receiver = client.CreateReceiver(queue, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete, SubQueue = subQueue });
        return await QueueTestKit.ReceiveAtLeastAsync(receiver, expectedCount);
    }

    /// <summary>Same, for a subscription.</summary>
    public static async Task<List<LoireReceivedMessage>> DrainAsync(LoireClient client, string topic, string subscription, int expectedCount)
    {
        await using var receiver = client.CreateReceiver(topic, subscription, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        return await QueueTestKit.ReceiveAtLeastAsync(receiver, expectedCount);
    }

    /// <summary>The MessageIds of <paramref name="messages"/>, sorted.</summary>
    public static string[] Ids(IEnumerable<LoireReceivedMessage> messages) =>
        messages.Select(m => m.MessageId!).Order(StringComparer.Ordinal).ToArray();
}

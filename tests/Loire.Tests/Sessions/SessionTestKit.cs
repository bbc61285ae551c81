using System.Runtime.CompilerServices;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Queues;

namespace Loire.Tests.Sessions;

/// <summary>Helpers shared by the session tests. Everything goes through the public client.</summary>
internal static class SessionTestKit
{
    /// <summary>Creates a session queue (RequiresSession) named after the calling test; returns its path.</summary>
    public static Task<string> CreateSessionQueueAsync(
        this LoireAdministrationClient admin,
        Action<CreateQueueOptions>? configure = null,
        [CallerMemberName] string test = "") =>
        admin.CreateTestQueueAsync(o =>
        {
            o.RequiresSession = true;
            configure?.Invoke(o);
        }, test);

    /// <summary>A message of <paramref name="sessionId"/> whose MessageId and body are <paramref name="id"/>.</summary>
    public static LoireMessage SessionMessage(string id, string? sessionId) => new(id) { MessageId = id, SessionId = sessionId };

    /// <summary>Short options for accepting the next session: fails fast instead of waiting a minute.</summary>
    public static LoireSessionReceiverOptions Wait(TimeSpan maxWaitTime) => new() { MaxWaitTime = maxWaitTime };

    /// <summary>Receives until <paramref name="count"/> messages arrived or patience runs out; returns them in arrival order.</summary>
    public static async Task<List<LoireReceivedMessage>> ReceiveInOrderAsync(LoireReceiver receiver, int count)
    {
        var received = new List<LoireReceivedMessage>();
        var deadline = DateTimeOffset.UtcNow + QueueTestKit.Patience;
        while (received.Count < count && DateTimeOffset.UtcNow < deadline)
        {
            received.AddRange(await receiver.ReceiveMessagesAsync(count - received.Count, deadline - DateTimeOffset.UtcNow));
        }

        return received;
    }
}

using Loire.Client.Internal;
using Loire.Client.Sending;
using Loire.Messages;

namespace Loire.Client;

public partial class LoireClient
{
    private SendCoalescer? _sends;

    /// <summary>Merges this client's concurrent sends to the same grain; see <see cref="SendCoalescer"/>.</summary>
    internal SendCoalescer Sends => LazyInitializer.EnsureInitialized(ref _sends,
        () => new SendCoalescer((target, messages, ct) => SendToGrainAsync(target, messages, "send", RetryKind.Idempotent, ct),
            _options.CoalesceSends));

    /// <summary>One send call to the queue or topic grain, with the executor's error mapping and retries.</summary>
    internal ValueTask<long[]> SendToGrainAsync(SendTarget target, OutgoingMessage[] messages, string operation, RetryKind retryKind,
        CancellationToken cancellationToken) =>
        _executor.ExecuteAsync(operation, target.EntityPath, retryKind,
            (grains, ct) => grains.Entity(target.Kind, target.GrainKey).SendAsync(messages, ct), cancellationToken);
}

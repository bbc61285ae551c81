using Loire.Client;
using Loire.Messages;

namespace Loire.Grains.Topics;

/// <summary>Checks a publish against the session subscriptions it matched, before any subscription stores it.</summary>
internal static class SessionRouting
{
    /// <summary>
    /// InvalidArgument when a subscription that requires sessions matched a message without a SessionId: the whole
    /// publish is refused, so no subscription gets a part of it.
    /// </summary>
    public static void ThrowIfSessionless(SubscriptionRoute[] routes, List<OutgoingMessage>?[] matched)
    {
        for (var r = 0; r < routes.Length; r++)
        {
            if (matched[r] is not { } batch || !routes[r].Description.Options.RequiresSession)
            {
                continue;
            }

            foreach (var message in batch)
            {
                if (string.IsNullOrEmpty(message.SessionId))
                {
                    var subscription = routes[r].Description.Path;
                    throw new LoireException(LoireErrorReason.InvalidArgument,
                        $"Subscription '{subscription}' requires sessions and a message (MessageId '{message.MessageId}') has no SessionId; nothing was published.",
                        subscription);
                }
            }
        }
    }
}

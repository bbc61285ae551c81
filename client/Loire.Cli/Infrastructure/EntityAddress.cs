using Loire.Client;

namespace Loire.Cli.Infrastructure;

/// <summary>
/// An ENTITY argument: a queue (<c>orders</c>, <c>billing/invoices</c>) or a subscription written as the broker
/// names it, <c>events/subscriptions/audit</c>. Queue paths may hold '/', so only that segment marks a subscription.
/// </summary>
internal sealed record EntityAddress(string Path, string? Topic, string? Subscription)
{
    private const string Separator = "/subscriptions/";

    public bool IsSubscription => Subscription is not null;

    public static EntityAddress Parse(string text)
    {
        var index = text.LastIndexOf(Separator, StringComparison.OrdinalIgnoreCase);
        if (index <= 0 || index + Separator.Length >= text.Length)
        {
            return new EntityAddress(text, null, null);
        }

        return new EntityAddress(text, text[..index], text[(index + Separator.Length)..]);
    }

    public LoireReceiver CreateReceiver(LoireClient client, LoireReceiverOptions options) =>
        IsSubscription ? client.CreateReceiver(Topic!, Subscription!, options) : client.CreateReceiver(Path, options);

    public override string ToString() => Path;
}

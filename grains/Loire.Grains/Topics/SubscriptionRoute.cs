using Loire.Entities;
using Loire.Filters;
using Loire.Grains;

namespace Loire.Grains.Topics;

/// <summary>A subscription as its topic routes to it: its grain and its compiled rules (any match routes the message).</summary>
internal sealed class SubscriptionRoute(EntityDescription description, MessageFilter[] filters, IQueueGrain grain)
{
    public EntityDescription Description { get; } = description;

    public IQueueGrain Grain { get; } = grain;

    public bool Matches(IFilterMessage message)
    {
        foreach (var filter in filters)
        {
            if (filter.Matches(message))
            {
                return true;
            }
        }

        return false;
    }
}

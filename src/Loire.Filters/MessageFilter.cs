namespace Loire.Filters;

/// <summary>A parsed, immutable subscription filter that decides whether a message is delivered to a subscription.</summary>
/// <remarks>Instances are thread-safe and meant to be built once per rule and evaluated for every message.</remarks>
public abstract class MessageFilter
{
    /// <summary>Evaluates the filter against a message.</summary>
    /// <param name="message">The message's properties.</param>
    /// <returns>
    /// True only when the filter definitely matches. Missing properties, nulls and type mismatches make a condition
    /// unknown, and unknown is treated as no match. Evaluation does not throw for any property content.
    /// </returns>
    public abstract bool Matches(IFilterMessage message);
}

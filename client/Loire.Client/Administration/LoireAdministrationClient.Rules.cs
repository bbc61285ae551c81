using System.Runtime.CompilerServices;
using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

public partial class LoireAdministrationClient
{
    /// <summary>Adds a rule to a subscription; a message is delivered to the subscription when any of its rules accepts it.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="options">The rule's name and filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (bad name or malformed filter), <see cref="LoireErrorReason.MessagingEntityNotFound"/>
    /// or <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/> (a rule with that name exists).
    /// </exception>
    public virtual async Task<RuleProperties> CreateRuleAsync(string topicName, string subscriptionName, CreateRuleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = ValidateSubscription(topicName, subscriptionName);
        var rule = options.ToDescription(path);
        await Executor.ExecuteAsync("create rule", path, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Topic(topicName).CreateRuleAsync(subscriptionName, rule, ct)), cancellationToken).ConfigureAwait(false);
        return new RuleProperties(rule);
    }

    /// <summary>Removes a rule from a subscription.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="ruleName">The rule's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such subscription or rule).</exception>
    public virtual async Task DeleteRuleAsync(string topicName, string subscriptionName, string ruleName, CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        Validation.ValidateRuleName(ruleName);
        await Executor.ExecuteAsync("delete rule", path, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Topic(topicName).DeleteRuleAsync(subscriptionName, ruleName, ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets one rule of a subscription.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="ruleName">The rule's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such subscription or rule).</exception>
    public virtual async Task<RuleProperties> GetRuleAsync(string topicName, string subscriptionName, string ruleName, CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        Validation.ValidateRuleName(ruleName);
        var rules = await GetRuleDescriptionsAsync(path, cancellationToken).ConfigureAwait(false);
        // The broker matches rule names without regard to case (create refuses "orders" next to "Orders", delete finds it).
        var rule = rules.FirstOrDefault(r => string.Equals(r.Name, ruleName, StringComparison.OrdinalIgnoreCase))
            ?? throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"Subscription '{path}' has no rule named '{ruleName}'.", path);
        return new RuleProperties(rule);
    }

    /// <summary>Lists the rules of a subscription.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such subscription), on enumeration.</exception>
    public virtual async IAsyncEnumerable<RuleProperties> GetRulesAsync(string topicName, string subscriptionName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        var rules = await GetRuleDescriptionsAsync(path, cancellationToken).ConfigureAwait(false);
        foreach (var rule in rules)
        {
            yield return new RuleProperties(rule);
        }
    }

    /// <summary>The rules as the subscription's own grain holds them (authoritative, unlike a catalog copy).</summary>
    private async Task<IReadOnlyList<RuleDescription>> GetRuleDescriptionsAsync(string subscriptionPath, CancellationToken cancellationToken = default)
    {
        var description = await Executor.ExecuteAsync("get rules", subscriptionPath, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription>(grains.Queue(subscriptionPath).GetDescriptionAsync(ct)), cancellationToken).ConfigureAwait(false);
        return description.Rules.IsDefault ? [] : description.Rules;
    }
}

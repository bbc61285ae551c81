using System.Collections.Immutable;
using Loire.Grains.Persistence;
using Loire.Grains.Security;
using Loire.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Loire.Grains.Topics;

/// <summary>A topic's shared access rules, stored in its catalog record (partition 0); its subscriptions use them too.</summary>
internal sealed partial class TopicGrain : IAccessRuleOwner
{
    public ImmutableArray<SharedAccessAuthorizationRule>? OwnAccessRules => PartitionIndex == 0 ? _document?.AccessRules : null;

    public Task<SharedAccessAuthorizationRule[]> GetAccessRulesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireTopic().AccessRules.ToArray());

    public Task PutAccessRuleAsync(SharedAccessAuthorizationRule rule, bool replace, CancellationToken cancellationToken = default) =>
        ChangeAccessRulesAsync(document => EntityAccessRules.Put(document, rule, replace), cancellationToken);

    public Task DeleteAccessRuleAsync(string keyName, CancellationToken cancellationToken = default) =>
        ChangeAccessRulesAsync(document => EntityAccessRules.Delete(document, keyName), cancellationToken);

    public async Task<SharedAccessAuthorizationRule> RegenerateAccessRuleKeyAsync(string keyName, AccessKeyType keyType, CancellationToken cancellationToken = default)
    {
        SharedAccessAuthorizationRule? rule = null;
        await ChangeAccessRulesAsync(document =>
        {
            (document, rule) = EntityAccessRules.RegenerateKey(document, keyName, keyType);
            return document;
        }, cancellationToken);
        return rule!;
    }

    private async Task ChangeAccessRulesAsync(Func<EntityDocument, EntityDocument> change, CancellationToken cancellationToken)
    {
        await _management.WaitAsync(cancellationToken);
        try
        {
            await ReplaceDocumentAsync(change(RequireTopic()), cancellationToken);
            ServiceProvider.GetRequiredService<EntityAccessRuleCache>().Invalidate(Path);
        }
        finally
        {
            _management.Release();
        }
    }
}

using System.Collections.Immutable;
using Loire.Grains.Security;
using Loire.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Loire.Grains.Queues;

/// <summary>A queue's shared access rules, stored in its catalog record (partition 0).</summary>
internal sealed partial class QueueGrain : IAccessRuleOwner
{
    public ImmutableArray<SharedAccessAuthorizationRule>? OwnAccessRules =>
        PartitionIndex == 0 && _document?.Description.Kind == Entities.EntityKind.Queue ? _document.AccessRules : null;

    public Task<SharedAccessAuthorizationRule[]> GetAccessRulesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireEntity().AccessRules.ToArray());

    public Task PutAccessRuleAsync(SharedAccessAuthorizationRule rule, bool replace, CancellationToken cancellationToken = default) =>
        WriteAccessRulesAsync(EntityAccessRules.Put(RequireEntity(), rule, replace), cancellationToken);

    public Task DeleteAccessRuleAsync(string keyName, CancellationToken cancellationToken = default) =>
        WriteAccessRulesAsync(EntityAccessRules.Delete(RequireEntity(), keyName), cancellationToken);

    public async Task<SharedAccessAuthorizationRule> RegenerateAccessRuleKeyAsync(string keyName, AccessKeyType keyType, CancellationToken cancellationToken = default)
    {
        var (updated, rule) = EntityAccessRules.RegenerateKey(RequireEntity(), keyName, keyType);
        await WriteAccessRulesAsync(updated, cancellationToken);
        return rule;
    }

    private async Task WriteAccessRulesAsync(Persistence.EntityDocument updated, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await ReplaceDocumentAsync(updated, cancellationToken);
        ServiceProvider.GetRequiredService<EntityAccessRuleCache>().Invalidate(Path);
    }
}

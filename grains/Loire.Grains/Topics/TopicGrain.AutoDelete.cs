using Loire.Grains.AutoDelete;
using Loire.Grains.Persistence;
using Loire.Storage;

namespace Loire.Grains.Topics;

/// <summary>
/// AutoDeleteOnIdle for topics: a topic nobody publishes to or manages for that long deletes itself with its
/// subscriptions (receiving from a subscription is the subscription's use, not the topic's).
/// </summary>
internal sealed partial class TopicGrain : IIncomingGrainCallFilter, IIdleWatchedEntity
{
    private IdleWatch? _idleWatch;

    private IdleWatch IdleWatch => _idleWatch ??= new IdleWatch(
        this, this, CountsAsUse, brokerOptions.Value.EntityIdleTimeout, time, logger);

    string IIdleWatchedEntity.EntityPath => Path;

    EntityDocument? IIdleWatchedEntity.Document => _document;

    bool IIdleWatchedEntity.HasWritesInFlight => false;

    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context) => IdleWatch.InvokeAsync(context);

    private void EnsureIdleClock() => IdleWatch.Ensure();

    // Grain timer ticks pass through the filter too; only calls of the entity's own interface are use.
    private static bool CountsAsUse(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType is { } declaring && (declaring == typeof(ITopicGrain) || declaring == typeof(IEntityGrain))
        && context.MethodName is not (
            nameof(ITopicGrain.GetDescriptionAsync) or nameof(ITopicGrain.GetRuntimeInfoAsync) or nameof(ITopicGrain.GetSubscriptionsAsync)
            or nameof(ITopicGrain.CreateAsync) or nameof(ITopicGrain.DeleteAsync));

    async Task<bool> IIdleWatchedEntity.PersistLastActivityAsync(DateTimeOffset lastActivity)
    {
        // Under the management gate, so the write cannot land after a concurrent delete and bring the entry back.
        // When the gate is busy the write is skipped; the next operation or tick tries again.
        if (!_management.Wait(0))
        {
            return false;
        }

        try
        {
            if (_document is not { } document)
            {
                return false;
            }

            var updated = document with { LastActivityAt = lastActivity };
            _document = updated;
            await Fence.CommitAsync(new StoreBatch().PutEntity(codec.EncodeEntity(updated)), DeactivateOnIdle, CancellationToken.None);
            return true;
        }
        finally
        {
            _management.Release();
        }
    }

    Task IIdleWatchedEntity.DeleteIdleEntityAsync() => DeleteAsync();
}

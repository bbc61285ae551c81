using Loire.Client;
using Loire.Entities;
using Loire.Grains.AutoDelete;
using Loire.Grains.Persistence;
using Loire.Storage;

namespace Loire.Grains.Queues;

/// <summary>AutoDeleteOnIdle: a queue or subscription nobody sends to, receives from or settles on for that long deletes itself.</summary>
internal sealed partial class QueueGrain : IIncomingGrainCallFilter, IIdleWatchedEntity
{
    private IdleWatch? _idleWatch;

    private IdleWatch IdleWatch => _idleWatch ??= new IdleWatch(
        this, this, CountsAsUse, brokerOptions.Value.EntityIdleTimeout, time, logger);

    string IIdleWatchedEntity.EntityPath => Path;

    EntityDocument? IIdleWatchedEntity.Document => _document;

    bool IIdleWatchedEntity.HasWritesInFlight => _writesInFlight > 0;

    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context) => IdleWatch.InvokeAsync(context);

    private void EnsureIdleClock() => IdleWatch.Ensure();

    // Grain timer ticks pass through the filter too; only calls of the entity's own interface are use.
    private static bool CountsAsUse(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType is { } declaring && (declaring == typeof(IQueueGrain) || declaring == typeof(IEntityGrain))
        && context.MethodName is not (
            nameof(IQueueGrain.GetDescriptionAsync) or nameof(IQueueGrain.GetRuntimeInfoAsync)
            or nameof(IQueueGrain.CreateAsync) or nameof(IQueueGrain.DeleteAsync));

    async Task<bool> IIdleWatchedEntity.PersistLastActivityAsync(DateTimeOffset lastActivity)
    {
        if (_document is not { } document)
        {
            return false;
        }

        // Built from the current document and committed in order with the grain's other catalog writes, so it
        // carries their changes (the sequence ceiling, rules) too.
        var updated = document with { LastActivityAt = lastActivity };
        _document = updated;
        await WriteAsync(new StoreBatch().PutEntity(codec.EncodeEntity(updated)), CancellationToken.None);
        return true;
    }

    async Task IIdleWatchedEntity.DeleteIdleEntityAsync()
    {
        if (_document!.Description.Kind == EntityKind.Subscription && EntityPath.SplitSubscription(Path) is var (topic, name))
        {
            // Through the topic, so it stops routing to the subscription; it calls DeleteAsync here (the grain is
            // reentrant). A topic that does not know the subscription leaves the deletion to this grain.
            try
            {
                await GrainFactory.GetGrain<ITopicGrain>(topic).DeleteSubscriptionAsync(name);
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
            {
            }
        }

        if (_document is not null)
        {
            await DeleteAsync();
        }
    }
}

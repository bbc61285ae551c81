using Loire.Client;
using Loire.Entities;
using Loire.Grains.AutoDelete;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>
/// AutoDeleteOnIdle: a queue or subscription that nobody sends to, receives from or settles on for that long deletes
/// itself with its messages. The grain watches its own calls (it is its own incoming call filter), so operations need
/// no hooks; reading the description or the runtime counts does not count as use, and neither does the sweeper
/// (<see cref="AutoDeleteOnIdleSweeper"/>) that activates such entities after a restart. The clock starts on
/// activation or creation; from then on a keep-alive timer runs it, so idle grain collection cannot stop it.
/// </summary>
internal sealed partial class QueueGrain : IIncomingGrainCallFilter
{
    private IdleClock? _idleClock;
    private IGrainTimer? _idleTimer;
    private int _callsInUse;
    private bool _autoDeleting;

    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        // Entities that never auto-delete pay one field check per call; the rest (and creation) take the slow path.
        if (_document is { } document && document.Description.Options.AutoDeleteOnIdle == TimeSpan.MaxValue)
        {
            return context.Invoke();
        }

        return InvokeWatchingIdleAsync(context);
    }

    private async Task InvokeWatchingIdleAsync(IIncomingGrainCallContext context)
    {
        var clock = EnsureIdleClock();
        var counted = clock is not null && CountsAsUse(context);
        if (counted)
        {
            clock!.Touch(time.GetUtcNow());
            _callsInUse++;
        }

        try
        {
            if (counted && clock!.NeedsPersisting)
            {
                // Written before the operation runs, so an acknowledged operation never leaves a stale persisted time.
                await PersistLastActivityAsync(clock);
            }

            await context.Invoke();
        }
        finally
        {
            if (counted)
            {
                _callsInUse--;
                clock!.Touch(time.GetUtcNow());
            }

            // A create makes the entity exist during the call.
            EnsureIdleClock();
        }
    }

    // Grain timer ticks pass through the filter too; only calls of the entity's own interface are use.
    private static bool CountsAsUse(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType == typeof(IQueueGrain) && context.MethodName is not (
            nameof(IQueueGrain.GetDescriptionAsync) or nameof(IQueueGrain.GetRuntimeInfoAsync)
            or nameof(IQueueGrain.CreateAsync) or nameof(IQueueGrain.DeleteAsync));

    /// <summary>Starts the idle clock (resuming from the persisted last activity) if the entity auto-deletes; returns it.</summary>
    private IdleClock? EnsureIdleClock()
    {
        if (_document is not { } document)
        {
            return null;
        }

        var idle = document.Description.Options.AutoDeleteOnIdle;
        if (idle == TimeSpan.MaxValue)
        {
            return null;
        }

        if (_idleClock is null || _idleClock.Idle != idle)
        {
            var persisted = document.LastActivityAt ?? document.Description.UpdatedAt;
            _idleClock = IdleClock.Resume(idle, brokerOptions.Value.EntityIdleTimeout, persisted, time.GetUtcNow());
            _idleTimer?.Dispose();
            _idleTimer = this.RegisterGrainTimer(OnIdleTickAsync, new GrainTimerCreationOptions(_idleClock.TickPeriod, _idleClock.TickPeriod)
            {
                Interleave = true,
                KeepAlive = true,
            });
        }

        return _idleClock;
    }

    private async Task OnIdleTickAsync(CancellationToken cancellationToken)
    {
        if (_document is null || _idleClock is not { } clock || _autoDeleting)
        {
            _idleTimer?.Dispose();
            _idleTimer = null;
            return;
        }

        var now = time.GetUtcNow();
        if (_callsInUse > 0 || _writesInFlight > 0)
        {
            // A receive parked on the queue is use, however long it waits.
            clock.Touch(now);
        }

        if (clock.IsIdle(now))
        {
            await AutoDeleteAsync(clock, now);
        }
        else if (clock.NeedsPersisting)
        {
            await PersistLastActivityAsync(clock);
        }
    }

    private async Task AutoDeleteAsync(IdleClock clock, DateTimeOffset now)
    {
        _autoDeleting = true;
        LogAutoDeleting(Path, now - clock.LastActivity);
        try
        {
            if (_document!.Description.Kind == EntityKind.Subscription && SplitSubscriptionPath(Path) is var (topic, name))
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
        catch (Exception exception)
        {
            // Tried again on the next tick.
            _autoDeleting = false;
            LogAutoDeleteFailed(Path, exception);
            return;
        }

        _idleTimer?.Dispose();
        _idleTimer = null;
    }

    private async Task PersistLastActivityAsync(IdleClock clock)
    {
        if (_document is not { } document)
        {
            return;
        }

        var value = clock.BeginPersist();
        DateTimeOffset? written = null;
        try
        {
            // Built from the current document and committed in order with the grain's other catalog writes, so it
            // carries their changes (the sequence ceiling, rules) too.
            var updated = document with { LastActivityAt = value };
            _document = updated;
            await WriteAsync(new StoreBatch().PutEntity(codec.EncodeEntity(updated)), CancellationToken.None);
            written = value;
        }
        catch (Exception exception)
        {
            LogIdleClockNotPersisted(Path, exception);
        }
        finally
        {
            clock.EndPersist(written);
        }
    }

    private static (string Topic, string Name)? SplitSubscriptionPath(string path)
    {
        var separator = "/" + EntityPath.SubscriptionsSegment + "/";
        var index = path.LastIndexOf(separator, StringComparison.Ordinal);
        return index <= 0 ? null : (path[..index], path[(index + separator.Length)..]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting {Entity}: idle for {Idle}")]
    private partial void LogAutoDeleting(string entity, TimeSpan idle);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-delete of {Entity} failed; it is retried")]
    private partial void LogAutoDeleteFailed(string entity, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Last activity of {Entity} could not be persisted; it is retried")]
    private partial void LogIdleClockNotPersisted(string entity, Exception exception);
}

using Loire.Grains.AutoDelete;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Topics;

/// <summary>
/// AutoDeleteOnIdle for topics: a topic nobody publishes to or manages for that long deletes itself with its
/// subscriptions (receiving from a subscription is the subscription's use, not the topic's). Works like the queue
/// grain's: the grain is its own incoming call filter and a keep-alive timer runs the idle clock.
/// </summary>
internal sealed partial class TopicGrain : IIncomingGrainCallFilter
{
    private IdleClock? _idleClock;
    private IGrainTimer? _idleTimer;
    private int _callsInUse;
    private bool _autoDeleting;

    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
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

            EnsureIdleClock();
        }
    }

    // Grain timer ticks pass through the filter too; only calls of the entity's own interface are use.
    private static bool CountsAsUse(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType == typeof(ITopicGrain) && context.MethodName is not (
            nameof(ITopicGrain.GetDescriptionAsync) or nameof(ITopicGrain.GetRuntimeInfoAsync) or nameof(ITopicGrain.GetSubscriptionsAsync)
            or nameof(ITopicGrain.CreateAsync) or nameof(ITopicGrain.DeleteAsync));

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
        if (_callsInUse > 0)
        {
            clock.Touch(now);
        }

        if (clock.IsIdle(now))
        {
            _autoDeleting = true;
            LogAutoDeleting(Path, now - clock.LastActivity);
            try
            {
                await DeleteAsync();
            }
            catch (Exception exception)
            {
                _autoDeleting = false;
                LogAutoDeleteFailed(Path, exception);
                return;
            }

            _idleTimer?.Dispose();
            _idleTimer = null;
        }
        else if (clock.NeedsPersisting)
        {
            await PersistLastActivityAsync(clock);
        }
    }

    private async Task PersistLastActivityAsync(IdleClock clock)
    {
        // Under the management gate, so the write cannot land after a concurrent delete and bring the entry back.
        // When the gate is busy the write is skipped; the next operation or tick tries again.
        if (!_management.Wait(0))
        {
            return;
        }

        var value = clock.BeginPersist();
        DateTimeOffset? written = null;
        try
        {
            if (_document is { } document)
            {
                var updated = document with { LastActivityAt = value };
                _document = updated;
                await store.CommitAsync(new StoreBatch().PutEntity(codec.EncodeEntity(updated)), CancellationToken.None);
                written = value;
            }
        }
        catch (Exception exception)
        {
            LogIdleClockNotPersisted(Path, exception);
        }
        finally
        {
            clock.EndPersist(written);
            _management.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting topic {Entity}: idle for {Idle}")]
    private partial void LogAutoDeleting(string entity, TimeSpan idle);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-delete of topic {Entity} failed; it is retried")]
    private partial void LogAutoDeleteFailed(string entity, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Last activity of topic {Entity} could not be persisted; it is retried")]
    private partial void LogIdleClockNotPersisted(string entity, Exception exception);
}

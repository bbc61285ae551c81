using Microsoft.Extensions.Logging;

namespace Loire.Grains.AutoDelete;

/// <summary>
/// AutoDeleteOnIdle for one entity grain: an entity nobody uses for that long deletes itself. The grain routes its
/// incoming calls through <see cref="InvokeAsync"/> (it is its own call filter), so operations need no hooks; calls
/// that only read (and creation and deletion) do not count as use, and neither does the sweeper
/// (<see cref="AutoDeleteOnIdleSweeper"/>) that activates such entities after a restart. The clock starts on
/// activation or creation; from then on a keep-alive timer runs it, so idle grain collection cannot stop it.
/// </summary>
internal sealed partial class IdleWatch(
    IGrainBase grain,
    IIdleWatchedEntity entity,
    Func<IIncomingGrainCallContext, bool> countsAsUse,
    TimeSpan grainCollectionAge,
    TimeProvider time,
    ILogger logger)
{
    private IdleClock? _clock;
    private IGrainTimer? _timer;
    private int _callsInUse;
    private bool _deleting;

    public Task InvokeAsync(IIncomingGrainCallContext context)
    {
        // Entities that never auto-delete pay one field check per call; the rest (and creation) take the slow path.
        if (entity.Document is { } document && document.Description.Options.AutoDeleteOnIdle == TimeSpan.MaxValue)
        {
            return context.Invoke();
        }

        return InvokeWatchingAsync(context);
    }

    /// <summary>Starts the clock (resuming from the persisted last activity) if the entity auto-deletes.</summary>
    public void Ensure()
    {
        if (entity.Document is not { } document)
        {
            return;
        }

        var idle = document.Description.Options.AutoDeleteOnIdle;
        if (idle == TimeSpan.MaxValue || _clock?.Idle == idle)
        {
            return;
        }

        var persisted = document.LastActivityAt ?? document.Description.UpdatedAt;
        _clock = IdleClock.Resume(idle, grainCollectionAge, persisted, time.GetUtcNow());
        _timer?.Dispose();
        _timer = grain.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions(_clock.TickPeriod, _clock.TickPeriod)
        {
            Interleave = true,
            KeepAlive = true,
        });
    }

    private async Task InvokeWatchingAsync(IIncomingGrainCallContext context)
    {
        Ensure();
        var clock = _clock;
        var counted = clock is not null && countsAsUse(context);
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
                await PersistAsync(clock);
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
            Ensure();
        }
    }

    private async Task OnTickAsync(CancellationToken cancellationToken)
    {
        if (entity.Document is null || _clock is not { } clock || _deleting)
        {
            StopTimer();
            return;
        }

        var now = time.GetUtcNow();
        if (_callsInUse > 0 || entity.HasWritesInFlight)
        {
            // A receive parked on the entity is use, however long it waits.
            clock.Touch(now);
        }

        if (clock.IsIdle(now))
        {
            await DeleteAsync(clock, now);
        }
        else if (clock.NeedsPersisting)
        {
            await PersistAsync(clock);
        }
    }

    private async Task DeleteAsync(IdleClock clock, DateTimeOffset now)
    {
        _deleting = true;
        LogAutoDeleting(entity.EntityPath, now - clock.LastActivity);
        try
        {
            await entity.DeleteIdleEntityAsync();
        }
        catch (Exception exception)
        {
            // Tried again on the next tick.
            _deleting = false;
            LogAutoDeleteFailed(entity.EntityPath, exception);
            return;
        }

        StopTimer();
    }

    private async Task PersistAsync(IdleClock clock)
    {
        var value = clock.BeginPersist();
        DateTimeOffset? written = null;
        try
        {
            if (await entity.PersistLastActivityAsync(value))
            {
                written = value;
            }
        }
        catch (Exception exception)
        {
            LogIdleClockNotPersisted(entity.EntityPath, exception);
        }
        finally
        {
            clock.EndPersist(written);
        }
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting {Entity}: idle for {Idle}")]
    private partial void LogAutoDeleting(string entity, TimeSpan idle);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-delete of {Entity} failed; it is retried")]
    private partial void LogAutoDeleteFailed(string entity, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Last activity of {Entity} could not be persisted; it is retried")]
    private partial void LogIdleClockNotPersisted(string entity, Exception exception);
}

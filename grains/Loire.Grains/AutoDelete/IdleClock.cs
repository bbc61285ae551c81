namespace Loire.Grains.AutoDelete;

/// <summary>
/// The idle clock of one entity with <c>AutoDeleteOnIdle</c>: when it was last used, and what of that the store
/// knows. Not thread-safe: only the owning grain's turns touch it.
/// </summary>
/// <remarks>
/// Writing the last-activity time on every operation would double the store writes of a busy entity, so it is
/// persisted lazily: an operation that finds the persisted time older than <see cref="PersistPeriod"/> (a quarter of
/// the idle time) writes it first; ticks write it while only long-polling receives keep the entity busy. The
/// persisted time therefore lags the real last activity by less than <see cref="PersistPeriod"/> plus one
/// <see cref="TickPeriod"/>. After a restart (or any reactivation) the clock resumes from the persisted time plus
/// that bound, so an entity is never deleted early; it may be deleted up to that bound late. Time the silo was down
/// counts as idle time.
/// </remarks>
internal sealed class IdleClock
{
    /// <summary>
    /// Shortest accepted AutoDeleteOnIdle. Production entities should use minutes (Azure Service Bus requires 5);
    /// seconds are accepted so that tests and short-lived reply queues do not wait long.
    /// </summary>
    public static readonly TimeSpan MinimumIdle = TimeSpan.FromSeconds(5);

    // The timer keeps the grain alive, so it must tick well within the grain collection age; a minute is plenty of
    // precision for idle times of hours or days.
    private static readonly TimeSpan MaxTickPeriod = TimeSpan.FromMinutes(1);

    private IdleClock(TimeSpan idle, TimeSpan tickPeriod, DateTimeOffset persisted, DateTimeOffset lastActivity)
    {
        Idle = idle;
        TickPeriod = tickPeriod;
        PersistPeriod = idle / 4;
        Persisted = persisted;
        LastActivity = lastActivity;
    }

    /// <summary>The entity's AutoDeleteOnIdle.</summary>
    public TimeSpan Idle { get; }

    /// <summary>How often the grain checks whether the entity is idle (and so how late a deletion may come).</summary>
    public TimeSpan TickPeriod { get; }

    /// <summary>Most the persisted last-activity time may lag behind an operation before that operation writes it.</summary>
    public TimeSpan PersistPeriod { get; }

    /// <summary>When the entity was last used, as far as this activation knows.</summary>
    public DateTimeOffset LastActivity { get; private set; }

    /// <summary>The last-activity time the store holds.</summary>
    public DateTimeOffset Persisted { get; private set; }

    /// <summary>True while a write of the last-activity time is under way.</summary>
    public bool IsPersisting { get; private set; }

    /// <summary>True when the last activity is far enough ahead of the persisted time to be worth a write.</summary>
    public bool NeedsPersisting => !IsPersisting && LastActivity - Persisted >= PersistPeriod;

    /// <summary>
    /// A clock for an entity just activated or created: <paramref name="persisted"/> is its stored last activity (or
    /// when it was created or last changed).
    /// </summary>
    public static IdleClock Resume(TimeSpan idle, TimeSpan grainCollectionAge, DateTimeOffset persisted, DateTimeOffset now)
    {
        var tick = Min(Min(idle / 4, grainCollectionAge / 2), MaxTickPeriod);
        if (tick < TimeSpan.FromMilliseconds(100))
        {
            tick = TimeSpan.FromMilliseconds(100);
        }

        if (persisted > now)
        {
            persisted = now;
        }

        // Activity after the persisted time may have been lost with the previous activation: assume the latest it can
        // have been, so the entity is never deleted early.
        var lastActivity = Add(Add(persisted, idle / 4), tick);
        return new IdleClock(idle, tick, persisted, lastActivity < now ? lastActivity : now);
    }

    /// <summary>Records use of the entity.</summary>
    public void Touch(DateTimeOffset now)
    {
        if (now > LastActivity)
        {
            LastActivity = now;
        }
    }

    /// <summary>True when nothing used the entity for <see cref="Idle"/>.</summary>
    public bool IsIdle(DateTimeOffset now) => now - LastActivity >= Idle;

    /// <summary>Marks a write of <see cref="LastActivity"/> as started and returns the value to write.</summary>
    public DateTimeOffset BeginPersist()
    {
        IsPersisting = true;
        return LastActivity;
    }

    /// <summary>Ends a write started by <see cref="BeginPersist"/>; <paramref name="written"/> is null when it failed.</summary>
    public void EndPersist(DateTimeOffset? written)
    {
        IsPersisting = false;
        if (written is { } value && value > Persisted)
        {
            Persisted = value;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static DateTimeOffset Add(DateTimeOffset time, TimeSpan span) =>
        span >= DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;
}

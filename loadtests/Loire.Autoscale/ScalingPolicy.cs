namespace Loire.Autoscale;

/// <summary>
/// How many silos to run, decided as KEDA and the Kubernetes HPA do: the recommendation is
/// ceil(depth / target per silo) clamped to [min, max]; scaling out follows it at once, scaling in follows the highest
/// recommendation of the trailing stabilization window (so a dip does not remove a silo the next burst needs) and
/// removes at most one silo per scale-in period.
/// </summary>
internal sealed class ScalingPolicy(int minSilos, int maxSilos, long targetPerSilo, TimeSpan stabilization, TimeSpan scaleInPeriod)
{
    private readonly Queue<(TimeSpan At, int Silos)> _recommendations = new();
    private TimeSpan? _lastScaleIn;
    private TimeSpan? _firstDecision;

    /// <summary>ceil(depth / target per silo), within [min, max].</summary>
    public int Recommend(double depth)
    {
        var wanted = (long)Math.Ceiling(Math.Max(depth, 0) / targetPerSilo);
        return (int)Math.Clamp(wanted, minSilos, maxSilos);
    }

    /// <summary>The silo count to run now, given the depth read at <paramref name="now"/> and the <paramref name="current"/> count.</summary>
    public int Decide(TimeSpan now, double depth, int current)
    {
        var recommended = Recommend(depth);
        _firstDecision ??= now;
        _recommendations.Enqueue((now, recommended));
        while (_recommendations.Peek().At < now - stabilization)
        {
            _recommendations.Dequeue();
        }

        if (recommended >= current)
        {
            return recommended;
        }

        // The window must be full: right after start there is not enough history to call the load gone.
        var stable = _recommendations.Max(r => r.Silos);
        if (stable >= current || now - _firstDecision < stabilization
            || (_lastScaleIn is { } last && now - last < scaleInPeriod))
        {
            return current;
        }

        _lastScaleIn = now;
        return current - 1;
    }
}

namespace Loire.Silo.Health;

/// <summary>Tags that split the health checks between the liveness and readiness probes.</summary>
public static class HealthTags
{
    /// <summary>The process answers; a failure here means restart it.</summary>
    public const string Live = "live";

    /// <summary>The silo can serve clients; a failure here means route traffic elsewhere for now.</summary>
    public const string Ready = "ready";
}

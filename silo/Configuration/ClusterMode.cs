namespace Loire.Silo.Configuration;

/// <summary>How silos find each other.</summary>
public enum ClusterMode
{
    /// <summary>One silo on loopback, no external membership store.</summary>
    Localhost,

    /// <summary>Membership and storage in Redis, for a multi-silo cluster.</summary>
    Redis,
}

namespace Loire.Grains.Hosting;

/// <summary>Broker-wide settings of a silo.</summary>
public sealed class LoireBrokerOptions
{
    /// <summary>Folder of the embedded message store.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Largest message accepted by any entity, in bytes (entities may set a lower limit).</summary>
    public int MaxMessageSizeBytes { get; set; } = 1024 * 1024;

    /// <summary>Idle time after which an entity grain deactivates and frees its memory.</summary>
    public TimeSpan EntityIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

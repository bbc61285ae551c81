using Loire.Storage;

namespace Loire.Grains.Hosting;

/// <summary>Broker-wide settings of a silo.</summary>
public sealed class LoireBrokerOptions
{
    /// <summary>Folder of the embedded message store.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Whether each group commit is fsynced (Full) or only survives a process crash (Normal).</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>
    /// Creates the message store; <see langword="null"/> (the default) uses the embedded SQLite store in
    /// <see cref="DataDirectory"/>. A cluster sets it to a store every silo shares, so entities re-activate
    /// on any silo with their messages.
    /// </summary>
    public Func<IServiceProvider, IMessageStore>? StoreFactory { get; set; }

    /// <summary>Largest message accepted by any entity, in bytes (entities may set a lower limit).</summary>
    public int MaxMessageSizeBytes { get; set; } = 1024 * 1024;

    /// <summary>Idle time after which an entity grain deactivates and frees its memory.</summary>
    public TimeSpan EntityIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often each silo reads every entity's depth from the catalog for its depth gauges.</summary>
    public TimeSpan DepthExportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most entities one silo exports per-entity depth gauges for (the deepest of its share); bounds the series a
    /// scrape returns when there are millions of entities. 0 exports none.
    /// </summary>
    public int MaxExportedEntities { get; set; } = 1000;

    /// <summary>Shortest <see cref="DeliveryLinkLease"/>: clients renew their links every second, so a few missed renewals must not close one.</summary>
    public static readonly TimeSpan MinDeliveryLinkLease = TimeSpan.FromSeconds(5);

    /// <summary>Longest <see cref="DeliveryLinkLease"/>: a link of a client that is gone keeps its unused credit until the lease ends.</summary>
    public static readonly TimeSpan MaxDeliveryLinkLease = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A push delivery link not renewed for this long is closed (its client is gone), between
    /// <see cref="MinDeliveryLinkLease"/> and <see cref="MaxDeliveryLinkLease"/>.
    /// </summary>
    public TimeSpan DeliveryLinkLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("DataDirectory must be set.", nameof(DataDirectory));
        }

        if (MaxMessageSizeBytes is < 1024 or > 100 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageSizeBytes), MaxMessageSizeBytes, "Must be between 1 KiB and 100 MiB.");
        }

        if (DepthExportInterval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(DepthExportInterval), DepthExportInterval, "Must be at least 1 second.");
        }

        if (MaxExportedEntities is < 0 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxExportedEntities), MaxExportedEntities, "Must be between 0 and 1,000,000.");
        }

        if (EntityIdleTimeout < TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(EntityIdleTimeout), EntityIdleTimeout, "Must be at least 10 seconds.");
        }

        if (DeliveryLinkLease < MinDeliveryLinkLease || DeliveryLinkLease > MaxDeliveryLinkLease)
        {
            throw new ArgumentOutOfRangeException(nameof(DeliveryLinkLease), DeliveryLinkLease, $"Must be between {MinDeliveryLinkLease.TotalSeconds} seconds and {MaxDeliveryLinkLease.TotalMinutes} minutes.");
        }
    }
}

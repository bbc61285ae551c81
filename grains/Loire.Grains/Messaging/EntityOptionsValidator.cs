using Loire.Client;
using Loire.Entities;
using Loire.Grains.AutoDelete;
using Loire.Partitions;

namespace Loire.Grains.Messaging;

/// <summary>Checks entity options before anything is created; a bad value is refused with InvalidArgument.</summary>
internal static class EntityOptionsValidator
{
    private static readonly TimeSpan MaxLockDuration = TimeSpan.FromMinutes(5);

    public static void Validate(string path, EntityKind kind, EntityOptions options)
    {
        if (kind != EntityKind.Topic)
        {
            Require(options.LockDuration >= TimeSpan.FromSeconds(1) && options.LockDuration <= MaxLockDuration,
                path, $"LockDuration must be between 1 second and {MaxLockDuration.TotalMinutes} minutes; got {options.LockDuration}.");
            Require(options.MaxDeliveryCount >= 1, path, $"MaxDeliveryCount must be at least 1; got {options.MaxDeliveryCount}.");
        }

        Require(options.DefaultMessageTimeToLive > TimeSpan.Zero, path,
            $"DefaultMessageTimeToLive must be positive; got {options.DefaultMessageTimeToLive}.");
        Require(options.DuplicateDetectionHistoryTimeWindow > TimeSpan.Zero, path,
            $"DuplicateDetectionHistoryTimeWindow must be positive; got {options.DuplicateDetectionHistoryTimeWindow}.");
        Require(options.MaxSizeInMegabytes is >= 1 and <= 1024 * 1024, path,
            $"MaxSizeInMegabytes must be between 1 and 1048576; got {options.MaxSizeInMegabytes}.");
        Require(options.MaxMessageCount is null or >= 1, path, $"MaxMessageCount must be at least 1; got {options.MaxMessageCount}.");
        Require(options.MaxMessageSizeInKilobytes is >= 1 and <= 100 * 1024, path,
            $"MaxMessageSizeInKilobytes must be between 1 and 102400; got {options.MaxMessageSizeInKilobytes}.");

        // Refused rather than silently ignored until the features land.
        RoutingOptionsValidator.Validate(path, kind, options);
        EntityPartitions.ValidateCount(options.PartitionCount, path);
        NotYet(options.PartitionCount != 1 && options.AutoDeleteOnIdle != TimeSpan.MaxValue, path,
            nameof(options.AutoDeleteOnIdle) + " on a partitioned entity");
        Require(options.AutoDeleteOnIdle == TimeSpan.MaxValue || options.AutoDeleteOnIdle >= IdleClock.MinimumIdle, path,
            $"AutoDeleteOnIdle must be at least {IdleClock.MinimumIdle.TotalSeconds} seconds (or TimeSpan.MaxValue for never); got {options.AutoDeleteOnIdle}.");
    }

    /// <summary>
    /// Checks a change of settings: the new ones must be valid, and what shapes the entity's storage and routing
    /// (partitions, sessions, duplicate detection and its window, whose history is kept for that window) stays as created.
    /// </summary>
    public static void ValidateUpdate(string path, EntityKind kind, EntityOptions current, EntityOptions updated)
    {
        Fixed(current.PartitionCount, updated.PartitionCount, nameof(EntityOptions.PartitionCount), path);
        Fixed(current.RequiresSession, updated.RequiresSession, nameof(EntityOptions.RequiresSession), path);
        Fixed(current.RequiresDuplicateDetection, updated.RequiresDuplicateDetection, nameof(EntityOptions.RequiresDuplicateDetection), path);
        Fixed(current.DuplicateDetectionHistoryTimeWindow, updated.DuplicateDetectionHistoryTimeWindow,
            nameof(EntityOptions.DuplicateDetectionHistoryTimeWindow), path);
        Validate(path, kind, updated);
    }

    private static void Fixed<T>(T current, T updated, string option, string path) =>
        Require(EqualityComparer<T>.Default.Equals(current, updated), path, $"{option} cannot be changed after creation (it is {current}; got {updated}).");

    private static void Require(bool condition, string path, string message)
    {
        if (!condition)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, message, path);
        }
    }

    private static void NotYet(bool used, string path, string option) =>
        Require(!used, path, $"{option} is not supported by this broker version.");
}

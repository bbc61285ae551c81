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

using Loire.Entities;
using Loire.Grains.AutoDelete;
using Loire.Grains.Messaging;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Topics;

/// <summary>Changes of a topic's settings, and of its subscriptions', after creation.</summary>
internal sealed partial class TopicGrain
{
    public async Task<EntityDescription> UpdateAsync(EntityOptions options, CancellationToken cancellationToken = default)
    {
        await _management.WaitAsync(cancellationToken);
        try
        {
            var current = RequireTopic().Description;
            EntityOptionsValidator.ValidateUpdate(Path, EntityKind.Topic, current.Options, options);
            cancellationToken.ThrowIfCancellationRequested();

            // The others first, as at creation; they validate the same way, so a refusal comes before any write.
            foreach (var partition in OtherPartitions(current.Options.PartitionCount))
            {
                await partition.UpdateAsync(options, cancellationToken);
            }

            if (options.AutoDeleteOnIdle != current.Options.AutoDeleteOnIdle)
            {
                await AutoDeleteIndexGrain.AddIfAutoDeletingAsync(GrainFactory, Path, current with { Options = options }, cancellationToken);
            }

            var document = RequireTopic();
            var updated = document with { Description = document.Description with { Options = options, UpdatedAt = time.GetUtcNow() } };
            await ReplaceDocumentAsync(updated, cancellationToken);
            EnsureIdleClock();
            LogUpdated(Path);
            return updated.Description;
        }
        finally
        {
            _management.Release();
        }
    }

    public async Task<EntityDescription> UpdateSubscriptionAsync(string name, EntityOptions options, CancellationToken cancellationToken = default)
    {
        await _management.WaitAsync(cancellationToken);
        try
        {
            var topic = RequireTopic().Description.Options;
            var route = RequireRoute(name);

            // As at creation: no subscription may hold more than its topic, and it has the topic's partitions.
            var capped = options with
            {
                MaxSizeInMegabytes = Math.Min(options.MaxSizeInMegabytes, topic.MaxSizeInMegabytes),
                PartitionCount = topic.PartitionCount,
            };
            var updated = await route.Grain.UpdateAsync(capped, cancellationToken);
            SetRoute(updated);
            await ReloadOtherPartitionsAsync();
            return updated;
        }
        finally
        {
            _management.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated the settings of {Entity}")]
    private partial void LogUpdated(string entity);
}

using Loire.Entities;
using Loire.Grains.AutoDelete;
using Loire.Grains.Messaging;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>Changes of a queue's or subscription's settings after creation.</summary>
internal sealed partial class QueueGrain
{
    public async Task<EntityDescription> UpdateAsync(EntityOptions options, CancellationToken cancellationToken = default)
    {
        var current = RequireEntity().Description;
        EntityOptionsValidator.ValidateUpdate(Path, current.Kind, current.Options, options);
        await RoutingOptionsValidator.ValidateTargetsAsync(store, codec, Path, current.Kind, options, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // The others first, as at creation; each validates the same settings the same way, so a refusal comes before
        // any write. A store failure part way leaves partitions disagreeing until the update is retried.
        foreach (var partition in OtherPartitions())
        {
            await partition.UpdateAsync(options, cancellationToken);
        }

        if (options.AutoDeleteOnIdle != current.Options.AutoDeleteOnIdle)
        {
            await AutoDeleteIndexGrain.AddIfAutoDeletingAsync(GrainFactory, Path, current with { Options = options }, cancellationToken);
        }

        // Built from the document as it is after the awaits above, so a sequence ceiling or activity time written
        // meanwhile is kept.
        var document = RequireEntity();
        var updated = document with { Description = document.Description with { Options = options, UpdatedAt = time.GetUtcNow() } };
        await ReplaceDocumentAsync(updated, cancellationToken);

        EnsureIdleClock();
        LogUpdated(Path);
        return updated.Description;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated the settings of {Entity}")]
    private partial void LogUpdated(string entity);
}

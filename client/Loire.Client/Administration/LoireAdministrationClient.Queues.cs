using System.Runtime.CompilerServices;
using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

public partial class LoireAdministrationClient
{
    /// <summary>Creates a queue with default settings.</summary>
    /// <param name="name">The queue's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (bad name) or <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/>.
    /// </exception>
    public virtual Task<QueueProperties> CreateQueueAsync(string name, CancellationToken cancellationToken = default) =>
        CreateQueueAsync(new CreateQueueOptions(name), cancellationToken);

    /// <summary>Creates a queue.</summary>
    /// <param name="options">Its name and settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The queue as the broker stored it.</returns>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (bad name or setting) or <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/>.
    /// </exception>
    public virtual async Task<QueueProperties> CreateQueueAsync(CreateQueueOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entityOptions = options.ToEntityOptions();
        var path = options.Name;
        var now = _client.TimeProvider.GetUtcNow();
        var description = new EntityDescription(path, EntityKind.Queue, entityOptions, now, now);
        await Executor.ExecuteAsync("create queue", path, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Queue(path).CreateAsync(description, ct)), cancellationToken).ConfigureAwait(false);
        var created = await Executor.ExecuteAsync("get queue", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription>(grains.Queue(path).GetDescriptionAsync(ct)), cancellationToken).ConfigureAwait(false);
        return new QueueProperties(created);
    }

    /// <summary>
    /// Replaces a queue's settings with <paramref name="options"/> (start from <c>new CreateQueueOptions(await
    /// GetQueueAsync(name))</c> to change a few), durably and at once for senders and receivers.
    /// </summary>
    /// <param name="options">The queue's name and its new settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The queue as the broker stored it.</returns>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (a bad value, or a change of PartitionCount, RequiresSession,
    /// RequiresDuplicateDetection or DuplicateDetectionHistoryTimeWindow, which are fixed at creation; nothing changed) or
    /// <see cref="LoireErrorReason.MessagingEntityNotFound"/>.
    /// </exception>
    public virtual async Task<QueueProperties> UpdateQueueAsync(CreateQueueOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entityOptions = options.ToEntityOptions();
        var path = options.Name;
        var updated = await Executor.ExecuteAsync("update queue", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription>(grains.Queue(path).UpdateAsync(entityOptions, ct)), cancellationToken).ConfigureAwait(false);
        return new QueueProperties(updated);
    }

    /// <summary>Gets a queue's settings.</summary>
    /// <param name="name">The queue's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<QueueProperties> GetQueueAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        return new QueueProperties(await GetAsync(name, EntityKind.Queue, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether a queue with that path exists.</summary>
    /// <param name="name">The queue's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<bool> QueueExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        return await FindAsync(name, EntityKind.Queue, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Deletes a queue and every message it holds.</summary>
    /// <param name="name">The queue's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task DeleteQueueAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        await Executor.ExecuteAsync("delete queue", name, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Queue(name).DeleteAsync(ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists every queue, ordered by path, fetching 100 at a time as the caller enumerates.</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public virtual async IAsyncEnumerable<QueueProperties> GetQueuesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var description in ListAsync(EntityKind.Queue, cancellationToken).ConfigureAwait(false))
        {
            yield return new QueueProperties(description);
        }
    }

    /// <summary>Gets a queue's live counts (active, dead-lettered, scheduled, deferred messages, size).</summary>
    /// <param name="name">The queue's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<QueueRuntimeProperties> GetQueueRuntimePropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        var info = await Executor.ExecuteAsync("get queue runtime properties", name, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityRuntimeInfo>(grains.Queue(name).GetRuntimeInfoAsync(ct)), cancellationToken).ConfigureAwait(false);
        return new QueueRuntimeProperties(info);
    }
}

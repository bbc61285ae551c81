using System.Runtime.CompilerServices;
using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

public partial class LoireAdministrationClient
{
    /// <summary>Creates a topic with default settings.</summary>
    /// <param name="name">The topic's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (bad name) or <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/>.
    /// </exception>
    public virtual Task<TopicProperties> CreateTopicAsync(string name, CancellationToken cancellationToken = default) =>
        CreateTopicAsync(new CreateTopicOptions(name), cancellationToken);

    /// <summary>Creates a topic.</summary>
    /// <param name="options">Its name and settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The topic as the broker stored it.</returns>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (bad name or setting) or <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/>.
    /// </exception>
    public virtual async Task<TopicProperties> CreateTopicAsync(CreateTopicOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entityOptions = options.ToEntityOptions();
        var path = options.Name;
        var now = _client.TimeProvider.GetUtcNow();
        var description = new EntityDescription(path, EntityKind.Topic, entityOptions, now, now);
        await Executor.ExecuteAsync("create topic", path, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Topic(path).CreateAsync(description, ct)), cancellationToken).ConfigureAwait(false);
        var created = await Executor.ExecuteAsync("get topic", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription>(grains.Topic(path).GetDescriptionAsync(ct)), cancellationToken).ConfigureAwait(false);
        return new TopicProperties(created);
    }

    /// <summary>Replaces a topic's settings with <paramref name="options"/>, as <see cref="UpdateQueueAsync"/> does for a queue.</summary>
    /// <param name="options">The topic's name and its new settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The topic as the broker stored it.</returns>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (nothing changed) or <see cref="LoireErrorReason.MessagingEntityNotFound"/>.
    /// </exception>
    public virtual async Task<TopicProperties> UpdateTopicAsync(CreateTopicOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entityOptions = options.ToEntityOptions();
        var path = options.Name;
        var updated = await Executor.ExecuteAsync("update topic", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription>(grains.Topic(path).UpdateAsync(entityOptions, ct)), cancellationToken).ConfigureAwait(false);
        return new TopicProperties(updated);
    }

    /// <summary>Gets a topic's settings.</summary>
    /// <param name="name">The topic's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<TopicProperties> GetTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        return new TopicProperties(await GetAsync(name, EntityKind.Topic, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether a topic with that path exists.</summary>
    /// <param name="name">The topic's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<bool> TopicExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        return await FindAsync(name, EntityKind.Topic, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Deletes a topic with all its subscriptions and their messages.</summary>
    /// <param name="name">The topic's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        await Executor.ExecuteAsync("delete topic", name, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Topic(name).DeleteAsync(ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists every topic, ordered by path, fetching 100 at a time as the caller enumerates.</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public virtual async IAsyncEnumerable<TopicProperties> GetTopicsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var description in ListAsync(EntityKind.Topic, cancellationToken).ConfigureAwait(false))
        {
            yield return new TopicProperties(description);
        }
    }

    /// <summary>Gets a topic's live counts (scheduled messages, size, subscription count).</summary>
    /// <param name="name">The topic's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<TopicRuntimeProperties> GetTopicRuntimePropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(name);
        var info = await Executor.ExecuteAsync("get topic runtime properties", name, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityRuntimeInfo>(grains.Topic(name).GetRuntimeInfoAsync(ct)), cancellationToken).ConfigureAwait(false);
        return new TopicRuntimeProperties(info);
    }
}

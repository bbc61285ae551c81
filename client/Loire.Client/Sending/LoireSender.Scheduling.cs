using Loire.Client.Internal;
using Loire.Entities;
using Loire.Partitions;

namespace Loire.Client;

public partial class LoireSender
{
    /// <summary>
    /// Sends a message that stays invisible until <paramref name="scheduledEnqueueTime"/>; returns its sequence
    /// number, which <see cref="CancelScheduledMessageAsync"/> takes. Sets <see cref="LoireMessage.ScheduledEnqueueTime"/>.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="scheduledEnqueueTime">When it becomes visible; a time in the past makes it visible at once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <remarks>
    /// Not retried after a timeout: a second attempt could schedule a copy that nobody can cancel. A topic's
    /// subscriptions keep the topic's sequence numbers, so cancelling on a topic cancels every copy.
    /// </remarks>
    public virtual async Task<long> ScheduleMessageAsync(LoireMessage message, DateTimeOffset scheduledEnqueueTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.ScheduledEnqueueTime = scheduledEnqueueTime;
        var sequenceNumbers = await SendCoreAsync([message], "schedule", RetryKind.WhenNotExecuted, cancellationToken).ConfigureAwait(false);
        return sequenceNumbers.Length > 0
            ? sequenceNumbers[0]
            : throw new LoireException(LoireErrorReason.GeneralError, "The broker returned no sequence number for the scheduled message.", _entityPath);
    }

    /// <summary>Schedules messages as one durable batch; returns their sequence numbers in order. An empty sequence does nothing.</summary>
    /// <param name="messages">The messages (limits as for <see cref="SendMessagesAsync"/>).</param>
    /// <param name="scheduledEnqueueTime">When they become visible.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<IReadOnlyList<long>> ScheduleMessagesAsync(IEnumerable<LoireMessage> messages, DateTimeOffset scheduledEnqueueTime, CancellationToken cancellationToken = default)
    {
        var batch = Materialize(messages);
        if (batch.Count == 0)
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return [];
        }

        foreach (var message in batch)
        {
            message.ScheduledEnqueueTime = scheduledEnqueueTime;
        }

        return await SendCoreAsync(batch, "schedule", RetryKind.WhenNotExecuted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a scheduled message that is not yet visible. Unknown or already visible sequence numbers are ignored.</summary>
    /// <param name="sequenceNumber">What <see cref="ScheduleMessageAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task CancelScheduledMessageAsync(long sequenceNumber, CancellationToken cancellationToken = default) =>
        CancelScheduledMessagesAsync([sequenceNumber], cancellationToken);

    /// <summary>Cancels scheduled messages that are not yet visible, in one call. Unknown sequence numbers are ignored.</summary>
    /// <param name="sequenceNumbers">What <see cref="ScheduleMessagesAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task CancelScheduledMessagesAsync(IEnumerable<long> sequenceNumbers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequenceNumbers);
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var numbers = sequenceNumbers.Distinct().ToArray();
        if (numbers.Length == 0)
        {
            return;
        }

        var description = await GetDescriptionAsync(cancellationToken).ConfigureAwait(false);
        var path = _entityPath;

        // Each number names the partition that issued it.
        foreach (var (index, group) in EntityPartitions.GroupByPartition(numbers, description.Options.PartitionCount, EntityPartitions.PartitionOfSequenceNumber))
        {
            var grainPath = EntityPartitions.GrainPath(path, index);
            var batch = group.ToArray();
            await _client.Executor.ExecuteAsync("cancel scheduled", path, RetryKind.Idempotent,
                (grains, ct) => new ValueTask(grains.Entity(description.Kind, grainPath).CancelScheduledAsync(batch, ct)),
                cancellationToken).ConfigureAwait(false);
        }
    }
}

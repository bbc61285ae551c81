namespace Loire.Client.Internal;

/// <summary>
/// Takes work (messages, a session) from whichever partition of an entity has some: each partition without waiting,
/// from a rotating start so none starves; when all are empty, a long poll on all of them at once, cancelled once one
/// answers. Every answer that came is returned, also those of polls that answered while being cancelled: what they
/// carry is already locked for the caller and must not be dropped.
/// </summary>
internal static class PartitionDraw
{
    /// <summary>
    /// How long a long poll must have been on its way before it is cancelled: Orleans drops a cancellation that reaches
    /// the silo before its request, which would leave the poll parked (as ProcessorRun.MinReceiveAgeBeforeCancel).
    /// </summary>
    private static readonly TimeSpan MinPollAgeBeforeCancel = TimeSpan.FromMilliseconds(50);

    /// <param name="partitionCount">Partitions of the entity (more than 1).</param>
    /// <param name="start">Partition tried first.</param>
    /// <param name="maxWait">Longest long poll; zero tries each partition once.</param>
    /// <param name="call">One broker call to a partition with a wait time.</param>
    /// <param name="found">Whether an answer carries something.</param>
    /// <param name="time">The client's clock.</param>
    /// <param name="cancellationToken">Cancels the draw; answers that still come are returned.</param>
    /// <returns>The answers that carry something (several only when long polls raced); empty when none did.</returns>
    public static async Task<List<T>> DrawAsync<T>(int partitionCount, int start, TimeSpan maxWait,
        Func<int, TimeSpan, CancellationToken, ValueTask<T>> call, Func<T, bool> found, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var i = 0; i < partitionCount; i++)
        {
            var answer = await call((start + i) % partitionCount, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (found(answer))
            {
                return [answer];
            }
        }

        if (maxWait <= TimeSpan.Zero)
        {
            return [];
        }

        // Not linked to the caller's token: a caller's cancellation, too, waits until the polls are old enough.
        using var pollsDone = new CancellationTokenSource();
        var sentAt = time.GetTimestamp();
        var polls = new Task<(bool Found, T? Answer)>[partitionCount];
        for (var i = 0; i < partitionCount; i++)
        {
            polls[i] = PollAsync(i);
        }

        await using (cancellationToken.Register(() => _ = StopPollsAsync()))
        {
            try
            {
                await Task.WhenAll(polls).ConfigureAwait(false);
            }
            catch (Exception) when (polls.Any(p => p.IsCompletedSuccessfully && p.Result.Found))
            {
                // Another partition failed, but these answers are locked for the caller; the failure shows next time.
            }
        }

        var answers = polls.Where(p => p.IsCompletedSuccessfully && p.Result.Found).Select(p => p.Result.Answer!).ToList();
        if (answers.Count == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return answers;

        async Task<(bool, T?)> PollAsync(int partition)
        {
            try
            {
                var answer = await call(partition, maxWait, pollsDone.Token).ConfigureAwait(false);
                var hit = found(answer);
                if (hit)
                {
                    await StopPollsAsync().ConfigureAwait(false);
                }

                return (hit, answer);
            }
            catch (OperationCanceledException) when (pollsDone.IsCancellationRequested)
            {
                return (false, default);
            }
            catch
            {
                await StopPollsAsync().ConfigureAwait(false);
                throw;
            }
        }

        async Task StopPollsAsync()
        {
            if (pollsDone.IsCancellationRequested)
            {
                return;
            }

            var age = time.GetElapsedTime(sentAt);
            if (age < MinPollAgeBeforeCancel)
            {
                await Task.Delay(MinPollAgeBeforeCancel - age, time, CancellationToken.None).ConfigureAwait(false);
            }

            try
            {
                await pollsDone.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The caller's cancellation came after every poll had returned.
            }
        }
    }
}

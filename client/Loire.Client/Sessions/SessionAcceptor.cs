using Loire.Client.Internal;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Client.Sessions;

/// <summary>Accepts the next free session of an entity, drawing from all its partitions.</summary>
internal sealed class SessionAcceptor(LoireClient client, string entityPath, int partitionCount)
{
    private int _nextPartition = Random.Shared.Next();

    /// <summary>A locked session and the grain (partition) that holds it; null when none came within <paramref name="wait"/>.</summary>
    public async Task<(string GrainPath, AcceptedSession Session)?> AcceptNextAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (partitionCount <= 1)
        {
            return await AcceptAsync(0, wait, cancellationToken).ConfigureAwait(false) is { } session ? (entityPath, session) : null;
        }

        var start = EntityPartitions.NextInTurn(ref _nextPartition, partitionCount);
        var answers = await PartitionDraw.DrawAsync(partitionCount, start, wait,
            async (index, chunk, ct) => (Index: index, Session: await AcceptAsync(index, chunk, ct).ConfigureAwait(false)),
            answer => answer.Session is not null, client.TimeProvider, cancellationToken).ConfigureAwait(false);
        if (answers.Count == 0)
        {
            return null;
        }

        // Long polls that raced locked more sessions than one receiver holds: give the others back.
        foreach (var (index, session) in answers.Skip(1))
        {
            await ReleaseAsync(GrainPath(index), session!.Handle).ConfigureAwait(false);
        }

        return (GrainPath(answers[0].Index), answers[0].Session!);
    }

    private string GrainPath(int index) => EntityPartitions.GrainPath(entityPath, index);

    private async Task<AcceptedSession?> AcceptAsync(int index, TimeSpan wait, CancellationToken cancellationToken)
    {
        var grainPath = GrainPath(index);
        var request = new AcceptSessionRequest(null, wait);

        // Like a receive: a session a lost attempt locked is released when its lock expires.
        return await client.Executor.ExecuteAsync("accept next session", entityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(grainPath).AcceptSessionAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(string grainPath, SessionHandle handle)
    {
        try
        {
            await client.Executor.ExecuteAsync("release session", entityPath, RetryKind.Idempotent,
                (grains, ct) => new ValueTask(grains.Queue(grainPath).ReleaseSessionAsync(handle, ct)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (LoireException)
        {
            // Best effort: the session lock expires by itself.
        }
    }
}

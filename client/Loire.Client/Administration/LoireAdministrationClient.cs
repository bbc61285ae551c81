using System.Runtime.CompilerServices;
using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>
/// Creates, inspects and deletes queues, topics, subscriptions and rules. Created by
/// <see cref="LoireClient.CreateAdministrationClient"/>; thread-safe.
/// </summary>
/// <remarks>
/// Names are validated before anything is sent (<see cref="LoireErrorReason.InvalidArgument"/>). Reads are retried on
/// transient failures; creates, deletes and rule changes only when the broker provably did not get the first attempt,
/// so a timeout surfaces as <see cref="LoireErrorReason.ServiceTimeout"/> rather than a confusing
/// <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/> from a retry.
/// </remarks>
public partial class LoireAdministrationClient
{
    /// <summary>How many entities one catalog call lists.</summary>
    internal const int PageSize = 100;

    private readonly LoireClient _client = null!;

    /// <summary>For mocking: creates an administration client that is not connected to anything.</summary>
    protected LoireAdministrationClient()
    {
    }

    internal LoireAdministrationClient(LoireClient client)
    {
        _client = client;
    }

    private OperationExecutor Executor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_client.IsClosed, _client);
            return _client.Executor;
        }
    }

    /// <summary>The catalog entry at <paramref name="path"/> if it is of <paramref name="kind"/>; null otherwise. Does not activate the entity.</summary>
    private async Task<EntityDescription?> FindAsync(string path, EntityKind kind, CancellationToken cancellationToken = default)
    {
        var description = await Executor.ExecuteAsync("find entity", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription?>(grains.Catalog.FindAsync(path, ct)), cancellationToken).ConfigureAwait(false);
        return description?.Kind == kind ? description : null;
    }

    private async Task<EntityDescription> GetAsync(string path, EntityKind kind, CancellationToken cancellationToken = default) =>
        await FindAsync(path, kind, cancellationToken).ConfigureAwait(false)
        ?? throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No {Describe(kind)} named '{path}' exists.", path);

    /// <summary>Pages through the catalog's entities of one kind, ordered by path.</summary>
    private async IAsyncEnumerable<EntityDescription> ListAsync(EntityKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        while (true)
        {
            var from = after;
            var page = await Executor.ExecuteAsync("list entities", null, RetryKind.Idempotent,
                (grains, ct) => new ValueTask<EntityDescription[]>(grains.Catalog.ListAsync(kind, from, PageSize, ct)),
                cancellationToken).ConfigureAwait(false);
            foreach (var description in page)
            {
                if (description.Kind == kind)
                {
                    yield return description;
                }
            }

            if (page.Length < PageSize)
            {
                yield break;
            }

            after = page[^1].Path;
        }
    }

    private static string Describe(EntityKind kind) => kind switch
    {
        EntityKind.Queue => "queue",
        EntityKind.Topic => "topic",
        _ => "subscription",
    };
}

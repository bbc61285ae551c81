using Loire.Entities;
using Loire.Grains.Depth;
using Loire.Partitions;
using Loire.Storage;

namespace Loire.Silo.Management;

/// <summary>
/// <c>GET /api/v1/entities?prefix=&amp;kind=&amp;after=&amp;top=&amp;depth=</c>: queues, topics and subscriptions in path
/// order, a page at a time, straight from the store's catalog: no grain activates, so listing a million idle
/// entities costs store reads, not memory.
/// </summary>
public static class EntityListEndpoints
{
    public const int DefaultPageSize = 100;

    public const int MaxPageSize = 1000;

    // Longer than any entity path (subscription paths included), so a longer prefix can match nothing anyway.
    private const int MaxPrefixLength = 400;

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/entities", ListAsync)
            .WithSummary("Lists entities by path, optionally under a prefix, of one kind, with their recorded depth.")
            .Produces<EntityListResponse>();

    private static async Task<IResult> ListAsync(string? prefix, string? kind, string? after, string? top, string? depth,
        IMessageStore store, EntityDepthQuery depths, CancellationToken cancellationToken)
    {
        var pageSize = ManagementQuery.Int(top, "top", DefaultPageSize, 1, MaxPageSize);
        var onlyKind = ManagementQuery.Enum<ManagedEntityKind>(kind, "kind");
        var withDepth = ManagementQuery.Bool(depth, "depth");
        if (prefix is { Length: > MaxPrefixLength })
        {
            throw ManagementProblem.Invalid($"Query parameter 'prefix' is longer than {MaxPrefixLength} characters.");
        }

        var items = new List<EntityListItem>(pageSize);
        var more = false;
        var cursor = string.IsNullOrEmpty(after) ? null : after;
        while (!more)
        {
            // One row more than the page, so "full page" and "there is more" are told apart without an empty last page.
            var records = await store.ListDepthsAsync(prefix, cursor, pageSize + 1, cancellationToken);
            foreach (var record in records)
            {
                var entityKind = EntityResponse.KindOf((EntityKind)record.Kind);
                if (EntityPartitions.IsPartitionPath(record.Path) || (onlyKind is { } wanted && wanted != entityKind))
                {
                    continue;
                }

                if (items.Count == pageSize)
                {
                    more = true;
                    break;
                }

                items.Add(new EntityListItem(record.Path, entityKind, null));
            }

            if (records.Count <= pageSize)
            {
                break;
            }

            cursor = records[^1].Path;
        }

        if (withDepth)
        {
            // The catalog row holds partition 0's depth only; FindAsync sums an entity's partitions.
            for (var i = 0; i < items.Count; i++)
            {
                if (await depths.FindAsync(items[i].Path, cancellationToken) is { } summary)
                {
                    items[i] = items[i] with { Depth = RecordedDepth.From(summary) };
                }
            }
        }

        return ManagementApi.Json(new EntityListResponse(items, more ? items[^1].Path : null));
    }
}

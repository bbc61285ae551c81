using Loire.Client;
using Loire.Entities;
using Loire.Grains.Depth;
using Loire.Silo.Management;

namespace Loire.Silo.Scaling;

/// <summary>
/// <c>GET /scaler/v1/depth?entity=PATH</c> or <c>?prefix=TEXT</c>, optionally <c>&amp;metric=</c>: depths from the
/// store's catalog, so idle entities count and no grain is activated. Any silo answers for every entity.
/// </summary>
public static class ScalerEndpoints
{
    public const string DepthPath = "/scaler/v1/depth";

    // Longer than any entity path (subscription paths included), so a longer prefix can match nothing anyway.
    private const int MaxPrefixLength = 400;

    private static readonly string[] s_metrics = ["active", "deadletter", "scheduled", "deferred", "total", "oldest-age"];

    public static IEndpointRouteBuilder MapScalerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DepthPath, GetDepthAsync);
        return endpoints;
    }

    private static async Task<IResult> GetDepthAsync(string? entity, string? prefix, string? metric, EntityDepthQuery query,
        TimeProvider time, CancellationToken cancellationToken)
    {
        metric ??= "active";
        if (Array.IndexOf(s_metrics, metric) < 0)
        {
            return ManagementProblem.Create(LoireErrorReason.InvalidArgument, $"Unknown metric '{metric}'; expected one of {string.Join(", ", s_metrics)}.");
        }

        if ((entity is null) == (prefix is null))
        {
            return ManagementProblem.Create(LoireErrorReason.InvalidArgument, "Give exactly one of the query parameters 'entity' and 'prefix'.");
        }

        if (entity is not null && EntityPathError(entity) is { } pathError)
        {
            return ManagementProblem.Create(LoireErrorReason.InvalidArgument, pathError);
        }

        if (prefix is { Length: > MaxPrefixLength })
        {
            return ManagementProblem.Create(LoireErrorReason.InvalidArgument, $"The prefix is longer than {MaxPrefixLength} characters.");
        }

        IReadOnlyList<EntityDepthSummary> entities;
        try
        {
            entities = entity is not null
                ? await query.FindAsync(entity, cancellationToken) is { } found ? [found] : []
                : await query.ReadAsync(prefix, include: null, cancellationToken);
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.StoreUnavailable)
        {
            return ManagementProblem.Create(exception.Reason, exception.Message);
        }

        if (entity is not null && entities.Count == 0)
        {
            return ManagementProblem.Create(LoireErrorReason.MessagingEntityNotFound, $"No entity named '{entity}'.");
        }

        return Results.Json(Summarize(entity, prefix, metric, entities, time.GetUtcNow()));
    }

    private static ScalerDepthResponse Summarize(string? entity, string? prefix, string metric, IReadOnlyList<EntityDepthSummary> entities, DateTimeOffset now)
    {
        long active = 0, deadLetter = 0, scheduled = 0, deferred = 0, size = 0;
        var oldestAge = TimeSpan.Zero;
        var unrecorded = 0;
        foreach (var e in entities)
        {
            active += e.ActiveMessages;
            deadLetter += e.DeadLetterMessages;
            scheduled += e.ScheduledMessages;
            deferred += e.DeferredMessages;
            size += e.SizeInBytes;
            oldestAge = TimeSpan.FromTicks(Math.Max(oldestAge.Ticks, e.OldestMessageAge(now).Ticks));
            unrecorded += e.IsRecorded ? 0 : 1;
        }

        double value = metric switch
        {
            "deadletter" => deadLetter,
            "scheduled" => scheduled,
            "deferred" => deferred,
            "total" => active + deadLetter + scheduled + deferred,
            "oldest-age" => Math.Round(oldestAge.TotalSeconds, 3),
            _ => active,
        };
        return new ScalerDepthResponse(entity, prefix, metric, entities.Count, active, deadLetter, scheduled, deferred, size,
            Math.Round(oldestAge.TotalSeconds, 3), unrecorded, value);
    }

    /// <summary>Null for a queue, topic or subscription path; else why it is none.</summary>
    private static string? EntityPathError(string path)
    {
        const string separator = "/" + EntityPath.SubscriptionsSegment + "/";
        var marker = path.IndexOf(separator, StringComparison.Ordinal);
        if (marker < 0)
        {
            return EntityPath.GetQueueOrTopicError(path);
        }

        return EntityPath.GetQueueOrTopicError(path[..marker])
            ?? EntityPath.GetNameError(path[(marker + separator.Length)..], "subscription name");
    }
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using Loire.Grains.Persistence;
using Loire.Security;
using Loire.Storage;

namespace Loire.Grains.Security;

/// <summary>
/// Entity rules for calls that do not reach the entity's own grain (a subscription, a partition, the catalog, the
/// HTTP API), read from the catalog and kept for <see cref="TimeToLive"/>. A key name or signature that does not match
/// re-reads at once (at most once a second per entity), so a new rule or key works immediately everywhere; a removed
/// rule or key stops working within <see cref="TimeToLive"/> on such paths, and at once on the entity's own grain.
/// </summary>
internal sealed class EntityAccessRuleCache(IMessageStore store, GrainPayloadCodec codec, TimeProvider time)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(1);

    // Bounded: paths come from callers, who could otherwise fill the silo's memory with made-up names.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The rules of the queue or topic at <paramref name="path"/> (empty when it does not exist).</summary>
    /// <param name="path">The queue's or topic's path.</param>
    /// <param name="stale">True after a miss: re-read, unless a miss already re-read this entity within the last second.</param>
    /// <param name="cancellationToken">Cancels the catalog read.</param>
    public async ValueTask<ImmutableArray<SharedAccessAuthorizationRule>> GetAsync(string path, bool stale, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(path, out var entry)
            && (stale ? entry.MissReadAt is { } missRead && now - missRead < MinRefreshInterval : now - entry.LoadedAt < TimeToLive))
        {
            return entry.Rules;
        }

        var record = await store.GetEntityAsync(path, cancellationToken);
        var rules = record is null ? [] : codec.DecodeEntity(record).AccessRules;
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[path] = new Entry(rules, now, stale ? now : null);
        return rules;
    }

    /// <summary>Forgets what is known of <paramref name="path"/>, after its rules changed through this silo.</summary>
    public void Invalidate(string path) => _entries.TryRemove(path, out _);

    private sealed record Entry(ImmutableArray<SharedAccessAuthorizationRule> Rules, DateTimeOffset LoadedAt, DateTimeOffset? MissReadAt);
}

using Loire.Security;

namespace Loire.Client.Security;

/// <summary>
/// Signs tokens with a shared access key and caches each until a fifth of its life (at least a minute) is left,
/// so calls never wait for signing and never carry a token about to expire.
/// </summary>
internal sealed class SharedAccessKeyTokenProvider : LoireTokenProvider
{
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromHours(1);

    private readonly string _keyName;
    private readonly string _key;
    private readonly string _resource;
    private readonly TimeSpan _timeToLive;
    private readonly TimeSpan _renewBefore;
    private readonly TimeProvider _time;
    private volatile CachedToken? _cached;

    public SharedAccessKeyTokenProvider(string keyName, string key, string? entityPath, TimeSpan timeToLive, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (timeToLive < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "A token must live at least one minute.");
        }

        _keyName = keyName;
        _key = key;
        _resource = "loire://loire/" + (entityPath ?? string.Empty).Trim('/');
        _timeToLive = timeToLive;
        _renewBefore = TimeSpan.FromTicks(Math.Max(timeToLive.Ticks / 5, TimeSpan.FromMinutes(1).Ticks));
        _time = time;
    }

    public override ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var cached = _cached;
        if (cached is null || cached.ExpiresAt - now < _renewBefore)
        {
            // Two callers may both sign here; both tokens are valid, the last one is kept.
            var expiresAt = now + _timeToLive;
            cached = new CachedToken(SharedAccessSignature.Create(_keyName, _key, _resource, expiresAt), expiresAt);
            _cached = cached;
        }

        return new ValueTask<string>(cached.Token);
    }

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
}

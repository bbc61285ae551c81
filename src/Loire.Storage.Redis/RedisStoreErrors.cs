using Loire.Client;
using StackExchange.Redis;

namespace Loire.Storage.Redis;

/// <summary>How the Redis store turns client failures into the errors its callers see, </summary>
internal static class RedisStoreErrors
{
    /// <summary>A <c>StoreUnavailable</c> error (transient: retrying may succeed once Redis answers again).</summary>
    public static LoireException Unavailable(string message, Exception? cause) =>
        new(LoireErrorReason.StoreUnavailable, message, innerException: cause);

    /// <summary>True for failures of the connection or of the server rather than of the caller.</summary>
    public static bool IsStoreFailure(Exception exception) =>
        exception is RedisException or TimeoutException or ObjectDisposedException;
}

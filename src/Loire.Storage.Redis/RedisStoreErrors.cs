using Loire.Client;
using StackExchange.Redis;

namespace Loire.Storage.Redis;

/// <summary>How the Redis store turns client failures into the errors its callers see, and what it refuses up front.</summary>
internal static class RedisStoreErrors
{
    /// <summary>A <c>StoreUnavailable</c> error (transient: retrying may succeed once Redis answers again).</summary>
    public static LoireException Unavailable(string message, Exception? cause) =>
        new(LoireErrorReason.StoreUnavailable, message, innerException: cause);

    /// <summary>True for failures of the connection or of the server rather than of the caller.</summary>
    public static bool IsStoreFailure(Exception exception) =>
        exception is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>Throws <see cref="ArgumentException"/> for a batch the script could not apply, before it is queued.</summary>
    public static void ValidateBatch(StoreBatch batch)
    {
        var operations = batch.Operations;
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            if (string.IsNullOrEmpty(operation.EntityPath))
            {
                throw new ArgumentException($"Operation {i} ({operation.Kind}) of the batch has no entity path.", nameof(batch));
            }

            if (operation.Kind == StoreOperationKind.PutEntity && operation.Entity is null)
            {
                throw new ArgumentException($"Operation {i} (PutEntity) of the batch has no entity record.", nameof(batch));
            }

            if (!Enum.IsDefined(operation.Kind))
            {
                throw new ArgumentException($"Operation {i} of the batch has the unknown kind {operation.Kind}.", nameof(batch));
            }
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a catalog entry that cannot be stored.</summary>
    public static void ValidateEntity(EntityRecord entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (string.IsNullOrEmpty(entity.Path))
        {
            throw new ArgumentException("The entity record has no path.", nameof(entity));
        }
    }
}

namespace Loire.Storage;

/// <summary>What every store refuses up front, before a write is queued, so a queued write cannot fail on its input.</summary>
internal static class StoreInput
{
    /// <summary>Throws <see cref="ArgumentException"/> for a batch a writer could not apply.</summary>
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

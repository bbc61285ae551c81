namespace Loire.Grains.Depth;

/// <summary>
/// Which silo reports an entity's depth: rendezvous hashing of the entity path over the active silos, so every silo
/// that sees the same membership picks the same one without talking to the others, and a silo joining or leaving moves
/// only its own share. Entities do not move with their grains: the depth comes from the shared catalog.
/// </summary>
internal static class DepthOwnership
{
    /// <summary>True when <paramref name="self"/> has the highest score for <paramref name="entityPath"/> among <paramref name="silos"/>.</summary>
    public static bool IsOwner(string entityPath, string self, IReadOnlyList<string> silos)
    {
        var selfScore = Score(self, entityPath);
        foreach (var silo in silos)
        {
            if (silo != self)
            {
                var score = Score(silo, entityPath);
                // Ties (astronomically rare) go to the lower silo name, the same way on every silo.
                if (score > selfScore || (score == selfScore && string.CompareOrdinal(silo, self) < 0))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>FNV-1a over both strings, then a final mix: stable across processes and runs, unlike string.GetHashCode.</summary>
    private static ulong Score(string silo, string entityPath)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in silo)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ '|') * 1099511628211UL;
        foreach (var c in entityPath)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }
}

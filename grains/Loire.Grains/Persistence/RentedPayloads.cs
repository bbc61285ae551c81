using System.Buffers;

namespace Loire.Grains.Persistence;

/// <summary>
/// The pooled arrays one store batch's message encodings live in. The store reads them until the batch's commit has
/// completed, so they go back to the pool only then, by <see cref="Dispose"/> (once: it forgets them). An array never
/// returned (the batch was dropped before its commit) is simply collected.
/// </summary>
internal sealed class RentedPayloads : IDisposable
{
    // Not ArrayPool<byte>.Shared: it keeps a few dozen arrays of a size, while an encoding lives until its commit, so
    // a busy silo holds thousands at once and most rents would miss and allocate a rounded-up array, more than an exact
    // one. This pool keeps up to MaxArraysPerSize of each power-of-two size up to MaxPooledLength (what it retains is
    // at most what was once in flight); larger encodings get arrays of their own.
    private const int MaxPooledLength = 16 * 1024;
    private const int MaxArraysPerSize = 4096;

    private static readonly ArrayPool<byte> s_pool = ArrayPool<byte>.Create(MaxPooledLength, MaxArraysPerSize);

    // Most batches carry one message: it needs no list.
    private byte[]? _first;
    private List<byte[]>? _others;

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes, owned until <see cref="Dispose"/>.</summary>
    public byte[] Rent(int minimumLength)
    {
        var array = s_pool.Rent(minimumLength);
        if (_first is null)
        {
            _first = array;
        }
        else
        {
            (_others ??= []).Add(array);
        }

        return array;
    }

    /// <summary>Returns every rented array to the pool; call it only once the commit that reads them has completed.</summary>
    public void Dispose()
    {
        if (_first is { } first)
        {
            _first = null;
            s_pool.Return(first);
        }

        if (_others is { } others)
        {
            _others = null;
            foreach (var array in others)
            {
                s_pool.Return(array);
            }
        }
    }
}

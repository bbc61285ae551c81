using System.Security.Cryptography;

namespace Loire.Grains.Queues;

/// <summary>
/// Random lock tokens for one activation, drawn from the system's secure generator a few hundred at a time:
/// <see cref="Guid.NewGuid"/> asks the kernel for 16 bytes on every call, and a queue locks one token per delivery.
/// Not thread-safe: an activation runs one turn at a time.
/// </summary>
internal sealed class LockTokenSource
{
    private const int TokenBytes = 16;
    private const int TokensPerDraw = 256;

    private readonly byte[] _random = new byte[TokenBytes * TokensPerDraw];
    private int _next = TokensPerDraw;

    /// <summary>A fresh token of 128 random bits.</summary>
    public Guid Next()
    {
        if (_next == TokensPerDraw)
        {
            RandomNumberGenerator.Fill(_random);
            _next = 0;
        }

        return new Guid(_random.AsSpan(_next++ * TokenBytes, TokenBytes));
    }
}

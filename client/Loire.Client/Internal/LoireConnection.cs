namespace Loire.Client.Internal;

/// <summary>
/// How a <see cref="LoireClient"/> reaches the cluster: the seam between the client's logic and Orleans.
/// Unit tests replace it with a fake grain factory.
/// </summary>
internal abstract class LoireConnection : IAsyncDisposable
{
    /// <summary>True once the connection has been disposed.</summary>
    public abstract bool IsClosed { get; }

    /// <summary>A grain factory connected to the cluster, connecting first if needed.</summary>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public abstract ValueTask<IGrainFactory> GetGrainFactoryAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancelled when a gateway connection is lost after it was read (see <see cref="GatewayLossWatch"/>); never
    /// cancelled when the client shares a silo's process.
    /// </summary>
    public virtual CancellationToken GatewayLossToken => CancellationToken.None;

    /// <summary>
    /// True when every grain call is serialized before it leaves the process, so what a caller hands over is copied
    /// on its way and may be shared until the call completes; false when a grain may keep the caller's objects (a
    /// client sharing a silo's process passes immutable arguments by reference).
    /// </summary>
    public virtual bool SerializesCalls => false;

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}

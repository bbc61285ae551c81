namespace Loire.Client.Internal;

/// <summary>A connection over a grain factory someone else owns (a silo, or a TestingHost cluster); disposing it releases nothing.</summary>
internal sealed class CoHostedConnection(IGrainFactory grainFactory) : LoireConnection
{
    private volatile bool _closed;

    public override bool IsClosed => _closed;

    public override ValueTask<IGrainFactory> GetGrainFactoryAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, typeof(LoireClient));
        return new ValueTask<IGrainFactory>(grainFactory);
    }

    public override ValueTask DisposeAsync()
    {
        _closed = true;
        return ValueTask.CompletedTask;
    }
}

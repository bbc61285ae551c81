using System.Threading.Channels;
using Amqp;

namespace Loire.Silo.Amqp.Transport;

/// <summary>
/// Hands connections that passed the SASL exchange to the AMQP library's listener, which asks for them one at a time.
/// The acceptor negotiates SASL itself, concurrently per connection, so a slow client never holds up the others.
/// </summary>
internal sealed class AcceptedTransports : TransportProvider
{
    private readonly Channel<IAsyncTransport> _transports = Channel.CreateBounded<IAsyncTransport>(
        new BoundedChannelOptions(64) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public AcceptedTransports()
    {
        AddressSchemes = [AmqpFrontDoor.Scheme];
    }

    public ValueTask AddAsync(IAsyncTransport transport, CancellationToken cancellationToken) =>
        _transports.Writer.WriteAsync(transport, cancellationToken);

    public override async Task<IAsyncTransport> CreateAsync(Address address)
    {
        if (await _transports.Reader.WaitToReadAsync().ConfigureAwait(false) && _transports.Reader.TryRead(out var transport))
        {
            return transport;
        }

        // Closed. The library's accept loop asks again at once after any answer, even an exception, so it gets a task
        // that never completes instead of a spin.
        await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
        throw new ObjectDisposedException(nameof(AcceptedTransports));
    }

    public override void Dispose()
    {
        _transports.Writer.TryComplete();
        while (_transports.Reader.TryRead(out var transport))
        {
            transport.Close();
        }
    }
}

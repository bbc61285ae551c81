using System.Security.Principal;
using Amqp;
using Amqp.Listener;

namespace Loire.Silo.Amqp.Transport;

/// <summary>
/// An accepted connection after its SASL exchange, handed to the AMQP library. It carries the authenticated
/// principal (the library reads it through <see cref="IAuthenticated"/>), and replays the protocol header that was
/// read to find out the client skipped SASL.
/// </summary>
internal sealed class AmqpStreamTransport(Stream stream, IPrincipal principal, byte[]? replay) : IAsyncTransport, IAuthenticated
{
    private byte[]? _replay = replay;

    public IPrincipal Principal => principal;

    public void SetConnection(Connection connection)
    {
    }

    public async Task SendAsync(IList<ByteBuffer> bufferList, int listSize)
    {
        // The library's writer sends one list at a time and reuses the buffers only after this task completes.
        for (var i = 0; i < bufferList.Count; i++)
        {
            var buffer = bufferList[i];
            await stream.WriteAsync(buffer.Buffer.AsMemory(buffer.Offset, buffer.Length)).ConfigureAwait(false);
        }
    }

    public Task<int> ReceiveAsync(byte[] buffer, int offset, int count) =>
        TryReplay(buffer, offset, count) is { } replayed ? Task.FromResult(replayed) : stream.ReadAsync(buffer, offset, count);

    public void Send(ByteBuffer buffer) => stream.Write(buffer.Buffer, buffer.Offset, buffer.Length);

    public int Receive(byte[] buffer, int offset, int count) => TryReplay(buffer, offset, count) ?? stream.Read(buffer, offset, count);

    public void Close() => stream.Dispose();

    private int? TryReplay(byte[] buffer, int offset, int count)
    {
        var replay = _replay;
        if (replay is null)
        {
            return null;
        }

        var length = Math.Min(count, replay.Length);
        replay.AsSpan(0, length).CopyTo(buffer.AsSpan(offset));
        _replay = length == replay.Length ? null : replay[length..];
        return length;
    }
}

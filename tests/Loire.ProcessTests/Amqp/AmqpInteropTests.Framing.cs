using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using static Loire.ProcessTests.Amqp.AmqpSilo;

namespace Loire.ProcessTests.Amqp;

/// <summary>This part: a peer that breaks the framing rules is cut off before the silo buffers what it claims.</summary>
public sealed partial class AmqpInteropTests
{
    [Fact]
    public async Task AFrameLargerThanTheAnnouncedMaximumClosesTheConnectionWithInvalidField()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", silo.AmqpPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync("AMQP\0\u0001\0\0"u8.ToArray());
        var header = new byte[8];
        await stream.ReadExactlyAsync(header);
        Assert.Equal("AMQP\0\u0001\0\0"u8.ToArray(), header);

        // A frame header claiming 200 MB; the silo must refuse it from its header, not read (or allocate) the body.
        var frame = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 200_000_000);
        frame[4] = 2;
        await stream.WriteAsync(frame);

        using var timeout = new CancellationTokenSource(Wait);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        // The silo's open and close frames (the close carrying the error), then the end of the stream.
        var reply = Encoding.Latin1.GetString(received.ToArray());
        Assert.Contains("amqp:invalid-field", reply, StringComparison.Ordinal);
        Assert.Contains("Invalid frame size", reply, StringComparison.Ordinal);
    }
}

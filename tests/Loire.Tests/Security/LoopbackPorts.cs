using System.Net;
using System.Net.Sockets;

namespace Loire.Tests.Security;

/// <summary>Free TCP ports on 127.0.0.1, for servers the tests start themselves.</summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

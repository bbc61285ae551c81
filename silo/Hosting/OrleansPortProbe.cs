using System.Net;
using System.Net.Sockets;
using Loire.Silo.Configuration;

namespace Loire.Silo.Hosting;

/// <summary>
/// Finds silo and gateway ports that another process already listens on. Orleans binds its listeners with
/// ReuseAddress, which on Linux also sets SO_REUSEPORT: a second silo on the same ports starts without error
/// and the kernel then splits connections between the two.
/// </summary>
public static class OrleansPortProbe
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    public static IReadOnlyList<(SiloSetting Setting, int Port)> FindPortsInUse(LoireSiloOptions options)
    {
        // The raw option numbers are Linux's; elsewhere a plain bind already fails on a taken port.
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        (SiloSetting Setting, int Port)[] ports = [(SiloSettings.SiloPort, options.SiloPort), (SiloSettings.GatewayPort, options.GatewayPort)];
        return ports.Where(p => !CanListen(p.Port)).ToList();
    }

    private static bool CanListen(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        // SO_REUSEADDR alone tolerates the TIME_WAIT leftovers of a killed silo but not a live listener.
        socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}

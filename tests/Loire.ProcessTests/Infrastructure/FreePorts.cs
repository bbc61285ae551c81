using System.Net;
using System.Net.Sockets;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>Asks the OS for unused loopback ports.</summary>
public static class FreePorts
{
    public static int[] Pick(int count)
    {
        // Hold every listener until all are picked, so the OS cannot hand out the same port twice.
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}

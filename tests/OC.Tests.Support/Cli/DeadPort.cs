using System.Net;
using System.Net.Sockets;

namespace OC.Tests.Cli;

internal static class DeadPort
{
    /// <summary>A loopback port that was free a moment ago, so that connecting to it is refused.</summary>
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

using System.Net;
using System.Net.Sockets;
using OC.Appliance;
using OC.Tests.Integration;

namespace OC.Tests.Http;

public sealed class HttpStartupTests
{
    [Fact]
    public void A_taken_http_port_fails_the_start_and_frees_the_protocol_port()
    {
        using var blocker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blocker.Listen();
        int taken = ((IPEndPoint)blocker.LocalEndPoint!).Port;

        using var free = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        free.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int protocolPort = ((IPEndPoint)free.LocalEndPoint!).Port;
        free.Close();

        var data = TempDirectory.Create("oc-http-taken");
        try
        {
            var options = new ApplianceOptions { DataDirectory = data, BindAddress = IPAddress.Loopback, Port = protocolPort, HttpPort = taken };
            Assert.Throws<SocketException>(() => new ApplianceServer(options));

            // The protocol listener was closed again: its port can be bound at once.
            using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            again.Bind(new IPEndPoint(IPAddress.Loopback, protocolPort));
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}

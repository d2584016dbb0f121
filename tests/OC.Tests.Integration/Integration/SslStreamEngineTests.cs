using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using OC.Appliance.Net.Tls;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Support;

namespace OC.Tests.Integration;

/// <summary>
/// The SslStream engine (what Windows and macOS run) forced on this machine: its work, including
/// the ends of connections that leave at awkward moments, runs on the loop thread alone. (Every
/// test that runs it checks the same when its appliance stops; this one makes the awkward moments.)
/// </summary>
public sealed class SslStreamEngineTests
{
    [Fact]
    public async Task Chat_and_clients_leaving_mid_handshake_or_mid_record_all_run_on_the_loop_thread()
    {
        using var appliance = new TestAppliance(tlsEngine: TlsListener.SslStream);
        var server = Assert.IsType<SslStreamServer>(appliance.Server.TlsServer);

        var (_, alice) = await ChatPeers.NewUserAsync(appliance, "alice");
        var (b, bob) = await ChatPeers.NewUserAsync(appliance, "bob");
        await using (alice)
        await using (bob)
        {
            await ChatPeers.BefriendAsync(alice, b, bob);
            for (int i = 0; i < 20; i++) await ChatPeers.SendAsync(alice, b, $"message {i}");
            Assert.Equal(20, (await ChatPeers.SyncAsync(bob, 0)).Count);
        }

        // Half a ClientHello record, then gone: the engine held it and had not started SslStream.
        using (var half = new TcpClient())
        {
            await half.ConnectAsync(IPAddress.Loopback, appliance.Port);
            await half.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00 });
        }

        // A client that refuses the certificate: it leaves while the engine's handshake waits for its Finished.
        using (var refusing = new TcpClient())
        {
            await refusing.ConnectAsync(IPAddress.Loopback, appliance.Port);
            await using var ssl = new SslStream(refusing.GetStream());
            await Assert.ThrowsAsync<AuthenticationException>(() => ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "",
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, _, _, _) => false,
            }));
        }

        // After its handshake and a PING, the head and a few bytes of a record, then gone.
        using (var raw = new RawClient(appliance.Port))
        {
            raw.SendHello();
            Assert.Equal(FrameType.Welcome, raw.ReadFrame()!.Value.Header.Type);
            raw.Send(b => EmptyFrame.Write(b, FrameType.Ping, 2));
            Assert.Equal(FrameType.Pong, raw.ReadFrame()!.Value.Header.Type);
            raw.Socket.Send([0x17, 0x03, 0x03, 0x00, 0x40, 0x01, 0x02, 0x03]);
        }

        // Polled: nothing tells a test when the appliance has seen a peer close.
        await Eventually.TrueAsync(() => appliance.Server.ConnectionCount == 0, Eventually.Deadline, "the appliance to see every client leave");
        appliance.Stop();
        Assert.Equal(0, server.OffLoopCalls);
        Assert.True(appliance.Server.TlsHandshakes >= 3, $"{appliance.Server.TlsHandshakes} handshakes counted");
    }
}

using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Integration;

public abstract class SlowConsumerTests(string poller, string? tlsEngine = null)
{
    protected string Poller { get; } = poller;

    [Fact]
    public async Task A_client_that_never_reads_is_cut_off_and_others_are_served()
    {
        const int bound = 64 * 1024;
        using var appliance = new TestAppliance(Poller, configure: o => o with { MaxOutputBytes = bound }, tlsEngine: tlsEngine);
        await using var bystander = await appliance.ConnectAsync();

        using var raw = new RawClient(appliance.Port);
        raw.Socket.ReceiveBufferSize = 4096;
        raw.SendHello();

        // Pipeline PINGs and never read a PONG. Once the kernel's buffers are full the appliance's
        // queue grows past the bound and it must close the connection; the writes here then fail.
        var batch = new ByteBuffer();
        for (uint id = 1; id <= 1000; id++) EmptyFrame.Write(batch, FrameType.Ping, id);
        raw.Socket.SendTimeout = 10_000;
        bool sendFailed = false;
        for (int i = 0; i < 10_000 && !sendFailed; i++)
        {
            try
            {
                raw.Send(batch.Span);
            }
            catch (IOException)
            {
                // Through TLS: the socket's error wrapped (broken pipe, reset).
                sendFailed = true;
            }
        }
        Assert.True(sendFailed, "100 MB of PINGs went out and the appliance never pushed back");

        // Reading now must reach the end of the stream (or a reset) within the receive timeout:
        // the appliance closed the connection rather than buffering without limit.
        while (raw.ReadFrame() is not null)
        {
        }
        Assert.True(appliance.Server.SlowConsumersCut >= 1);

        // Everyone else is still served.
        uint number = await TestUsers.RegisterAsync(bystander, "patient", "pw");
        Assert.InRange(number, 100_000u, 999_999u);
    }
}

public sealed class SlowConsumerTests_epoll() : SlowConsumerTests("epoll");

public sealed class SlowConsumerTests_select() : SlowConsumerTests("select");

/// <summary>The SslStream engine (what Windows and macOS run): its ciphertext counts against the bound as OpenSSL's does.</summary>
public sealed class SlowConsumerTests_sslstream() : SlowConsumerTests("epoll", OC.Appliance.Net.Tls.TlsListener.SslStream);

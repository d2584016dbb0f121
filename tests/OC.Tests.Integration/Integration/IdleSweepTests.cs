using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Net;
using OC.Appliance.Protocol;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Files;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Integration;

/// <summary>
/// The HELLO deadline and the idle timeout, decided by the connection manager's sweep on a fake
/// clock: the appliance's loop, connection manager and router, built as ApplianceServer builds
/// them, run one iteration at a time on the test thread; a client on loopback. Real time only
/// bounds the waits for socket events, which only a hang can miss.
/// </summary>
public sealed class IdleSweepTests : IDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan LoginTimeout = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new();
    private readonly string _dataDirectory = TempDirectory.Create("oc-idle");
    private readonly EventLoop _loop;
    private readonly StorageWorker _storage;
    private readonly MessageWorker _messages;
    private readonly FileWorker _files;
    private readonly ConnectionManager _connections;
    private readonly Acceptor _acceptor;

    public IdleSweepTests()
    {
        _loop = new EventLoop(EventLoop.CreatePoller(null), _time);
        _storage = new StorageWorker(_dataDirectory, _loop.Wake, _time);
        _messages = new MessageWorker(_dataDirectory, _loop.Wake, _time);
        _files = new FileWorker(_dataDirectory, new FileLimits(), _loop.Wake, _time);
        var limits = new ConnectionLimits { HelloTimeout = HelloTimeout, IdleTimeout = IdleTimeout, LoginTimeout = LoginTimeout };
        var features = new ApplianceFeatures(_storage, _messages, _files, OC.Appliance.Limits.RateLimitSettings.Default, _time);
        var router = new RequestRouter(features, limits, new ApplianceIdentity("test", "0123456789abcdef0123456789abcdef", "oc-test"), _time);
        _connections = new ConnectionManager(_loop, limits, router) { OnOpened = router.OnOpened };
        _loop.OnWake = () =>
        {
            _storage.DrainCompleted();
            _messages.DrainCompleted();
            _files.DrainCompleted();
        };
        _acceptor = new Acceptor(_loop, new IPEndPoint(IPAddress.Loopback, 0), "protocol", _connections.Accept);
    }

    public void Dispose()
    {
        _connections.CloseAll("test done");
        _acceptor.Dispose();
        _files.Dispose();
        _messages.Dispose();
        _storage.Dispose();
        _loop.Dispose();
        TempDirectory.Delete(_dataDirectory);
    }

    /// <summary>Runs loop iterations (each waiting up to 10 ms for socket events, never for a timer) until <paramref name="done"/>.</summary>
    private void RunUntil(Func<bool> done)
    {
        long started = Stopwatch.GetTimestamp();
        while (!done())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30), "the loop never got there");
            _loop.RunOnce(10);
        }
    }

    private void Advance(TimeSpan by)
    {
        _time.Advance(by);
        _loop.RunOnce(0);
    }

    private RawClient Connect()
    {
        var client = new RawClient(_acceptor.LocalEndPoint.Port, tls: false);
        RunUntil(() => _connections.Count == 1);
        return client;
    }

    private static void AssertClosedForIdleness(RawClient client, string message)
    {
        var error = client.ReadError(Frame.NoRequest);
        Assert.Equal(ErrorCode.IdleTimeout, error.Code);
        Assert.Equal(message, error.Message);
        client.AssertClosedByAppliance();
    }

    /// <summary>Sends a frame and runs the loop until the answer is readable, then reads it.</summary>
    private FrameType Exchange(RawClient client, Action<ByteBuffer> write)
    {
        client.Send(write);
        RunUntil(() => client.Socket.Poll(0, SelectMode.SelectRead));
        var frame = client.ReadFrame();
        Assert.NotNull(frame);
        return frame.Value.Header.Type;
    }

    [Fact]
    public void A_connection_that_sends_no_HELLO_is_closed_by_the_sweep_after_the_HELLO_timeout()
    {
        using var client = Connect();

        Advance(HelloTimeout);
        Assert.Equal(1, _connections.Count); // the sweep ran at exactly 10 s: not over yet

        Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _connections.Count);
        AssertClosedForIdleness(client, "no HELLO in time");
    }

    [Fact]
    public void A_connection_quiet_after_HELLO_is_closed_after_the_idle_timeout_and_not_before()
    {
        using var client = Connect();
        Assert.Equal(FrameType.Welcome, Exchange(client, b => Hello.Write(b, 1, new Hello(1, 1, "raw"))));

        Advance(HelloTimeout + TimeSpan.FromSeconds(1)); // HELLO came: its deadline is no longer checked
        Advance(IdleTimeout - HelloTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _connections.Count); // quiet for exactly 90 s

        Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _connections.Count);
        AssertClosedForIdleness(client, "idle for 90 seconds");
    }

    [Fact]
    public void Anything_the_client_sends_starts_the_idle_timeout_again()
    {
        using var client = Connect();
        Assert.Equal(FrameType.Welcome, Exchange(client, b => Hello.Write(b, 1, new Hello(1, 1, "raw"))));

        Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(FrameType.Pong, Exchange(client, b => EmptyFrame.Write(b, FrameType.Ping, 2)));
        Advance(TimeSpan.FromSeconds(60)); // 120 s since HELLO, 60 s since the PING
        Assert.Equal(1, _connections.Count);

        Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(0, _connections.Count);
        AssertClosedForIdleness(client, "idle for 90 seconds");
    }

    [Fact]
    public void A_connection_that_keeps_talking_but_never_logs_in_is_closed_after_the_login_timeout()
    {
        using var client = Connect();
        Assert.Equal(FrameType.Welcome, Exchange(client, b => Hello.Write(b, 1, new Hello(1, 1, "raw"))));

        // A PING each minute keeps it from being idle; it is still a stranger after five minutes.
        for (uint id = 2; id <= 6; id++)
        {
            Advance(TimeSpan.FromSeconds(60));
            Assert.Equal(FrameType.Pong, Exchange(client, b => EmptyFrame.Write(b, FrameType.Ping, id)));
        }
        Assert.Equal(1, _connections.Count); // exactly five minutes since it opened

        Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _connections.Count);
        AssertClosedForIdleness(client, "no login within 300 seconds");
    }
}

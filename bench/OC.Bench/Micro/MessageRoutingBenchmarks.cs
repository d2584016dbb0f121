using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using OC.Appliance.Chat;
using OC.Appliance.Sessions;
using OC.Appliance.Net;
using OC.Appliance.Protocol;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Files;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Micro;

/// <summary>
/// The loop's half of relaying one chat message: a SendJob that the message worker finished
/// (stored and flushed) becomes SENT to the sending session and MESSAGE to every live session of
/// both users (<see cref="MessagesHandler.OnSent"/>, through the job's completion), with the job taken
/// from and given back to the handler's pool as OnSend does. One operation = one message. Goal: 0 B.
/// </summary>
/// <remarks>
/// No fakes: the real MessagesHandler, PresenceRegistry, ConnectionManager and Connection, on real
/// loopback sockets that are never flushed (the loop is not run); the frames stay in each
/// connection's output ByteBuffer and are dropped after each operation, as the before-sleep flush
/// would drop them once sent. The storage and message workers exist (the router needs them) but
/// get no work. The job's result (seq, time) comes from a real MessageLog append in setup.
/// </remarks>
[ShortRunJob]
[MemoryDiagnoser]
public class MessageRoutingBenchmarks
{
    private const int Alice = 100_001;
    private const int Bob = 100_002;

    /// <summary>Messages in flight at once in the chat load at 100 pairs x 64 window.</summary>
    private const int InFlight = 6400;

    private readonly byte[] _id = new byte[16];
    private readonly byte[] _text = new byte[64];
    private readonly List<Socket> _clientEnds = [];
    private readonly SendJob[] _inFlight = new SendJob[InFlight];
    private string _directory = "";
    private EventLoop _loop = null!;
    private StorageWorker _storage = null!;
    private MessageWorker _messages = null!;
    private FileWorker _files = null!;
    private MessageLog _log = null!;
    private ConnectionManager _connections = null!;
    private ApplianceFeatures _features = null!;
    private RequestRouter _router = null!;
    private Stack<SendJob> _jobPool = null!;
    private Socket _listener = null!;
    private ClientSession _aliceSending = null!;
    private ClientSession _aliceOtherDevice = null!;
    private ClientSession _bob = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"oc-bench-routing-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_directory, "log"));
        _loop = new EventLoop(EventLoop.CreatePoller(null));
        _storage = new StorageWorker(_directory, _loop.Wake);
        _messages = new MessageWorker(_directory, _loop.Wake);
        _files = new FileWorker(_directory, new FileLimits(), _loop.Wake);
        var limits = new ConnectionLimits();
        _features = new ApplianceFeatures(_storage, _messages, _files, OC.Appliance.Limits.RateLimitSettings.Off, TimeProvider.System);
        _router = new RequestRouter(_features, limits, new ApplianceIdentity("bench", "0123456789abcdef", "oc-bench"), TimeProvider.System);
        _connections = new ConnectionManager(_loop, limits, _router) { OnOpened = _router.OnOpened };

        // The handler's pool of SendJobs, which OnSend pops from.
        _jobPool = _features.Messages.SendJobPool;

        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
        _aliceSending = LoggedIn(Alice, "alice", Bob, live: false);
        _aliceOtherDevice = LoggedIn(Alice, "alice", Bob, live: false);
        _bob = LoggedIn(Bob, "bob", Alice, live: true);

        for (int i = 0; i < _text.Length; i++) _text[i] = (byte)('a' + i % 26);
        _log = new MessageLog(Path.Combine(_directory, "log"));
        var job = new SendJob(_features.Messages);
        job.Set(_aliceSending, 1, Alice, Bob, _id, _text);
        job.Execute(_log); // sets job.Result (seq 1), which Reset keeps
        job.Reset();
        _jobPool.Push(job);
        Drain();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connections.CloseAll("benchmark done");
        foreach (var socket in _clientEnds) socket.Dispose();
        _listener.Dispose();
        _log.Dispose();
        _files.Dispose();
        _messages.Dispose();
        _storage.Dispose();
        _loop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Alice sends from one session, Bob has one live session: SENT to Alice, MESSAGE to Bob, no DELIVERED (Alice has no live session).</summary>
    [Benchmark(Baseline = true)]
    public int One_live_receiver()
    {
        _aliceOtherDevice.Live = false;
        return RouteOne();
    }

    /// <summary>As above, and Alice's second device is live: it gets the MESSAGE too, and DELIVERED.</summary>
    [Benchmark]
    public int Sender_live_on_a_second_device()
    {
        _aliceOtherDevice.Live = true;
        return RouteOne();
    }

    /// <summary>
    /// One live receiver, and each output buffer given back to the pool afterwards, as the flush
    /// does when the socket took everything: the case of one message per loop iteration.
    /// </summary>
    [Benchmark]
    public int One_live_receiver_buffers_released()
    {
        _aliceOtherDevice.Live = false;
        int n = RouteOne();
        _aliceSending.Connection.Output.Release();
        _bob.Connection.Output.Release();
        return n;
    }

    /// <summary>
    /// <see cref="InFlight"/> messages in flight, as under load: all jobs taken and set (OnSend),
    /// then all completed. Each job's text is in an array rented from ArrayPool.Shared, which keeps
    /// only a few arrays of a size per core: beyond that, Rent allocates and Return drops.
    /// </summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public int Many_in_flight()
    {
        _aliceOtherDevice.Live = false;
        for (int i = 0; i < InFlight; i++)
        {
            var job = _jobPool.Count > 0 ? _jobPool.Pop() : new SendJob(_features.Messages);
            job.Set(_aliceSending, 7, Alice, Bob, _id, _text);
            job.OnPosted();
            _inFlight[i] = job;
        }
        for (int i = 0; i < InFlight; i++) _inFlight[i].Complete();
        return Drain();
    }

    /// <summary>For comparison: only the two frames written (SENT, MESSAGE) into reused buffers.</summary>
    [Benchmark]
    public int Frames_only()
    {
        var alice = _aliceSending.Connection.Output;
        var bob = _bob.Connection.Output;
        Sent.Write(alice, 7, new Sent(1, 1_764_000_000_000));
        ChatMessage.Write(bob, 1, 1_764_000_000_000, Alice, Bob, _id, _text);
        int n = alice.Length + bob.Length;
        alice.Consume(alice.Length);
        bob.Consume(bob.Length);
        return n;
    }

    private int RouteOne()
    {
        // As OnSend: a job from the pool (text copied into a rented array), one request in flight.
        var job = _jobPool.Count > 0 ? _jobPool.Pop() : new SendJob(_features.Messages);
        job.Set(_aliceSending, 7, Alice, Bob, _id, _text);
        job.OnPosted();
        job.Complete();
        return Drain();
    }

    /// <summary>What the before-sleep flush would do once the socket took everything: empty the outputs.</summary>
    private int Drain()
    {
        // An index loop: foreach over IReadOnlyList would box its enumerator and count here.
        int n = 0;
        var all = _connections.All;
        for (int i = 0; i < all.Count; i++)
        {
            var output = all[i].Output;
            n += output.Length;
            output.Consume(output.Length);
        }
        return n;
    }

    private ClientSession LoggedIn(int number, string nick, int friend, bool live)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(_listener.LocalEndPoint!);
        _clientEnds.Add(client);
        var accepted = _listener.Accept();
        accepted.Blocking = false;
        _connections.Accept(accepted);
        var session = (ClientSession)_connections.All[^1].Session!;
        session.State = SessionState.Authenticated;
        session.UserNumber = number;
        session.Nick = nick;
        _features.Presence.SessionOnline(session, nick, [friend]);
        session.Live = live;
        return session;
    }
}

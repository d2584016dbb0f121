using System.Net;
using System.Net.Sockets;
using OC.Appliance.Net.Tls;
using OC.Protocol.Framing;

namespace OC.Appliance.Net;

/// <summary>What a <see cref="Connection"/> hands its frames and its end to.</summary>
internal interface IFrameSink
{
    void OnFrame(Connection connection, in FrameHeader header, ReadOnlySpan<byte> payload);

    /// <summary>A framing error (bad length): the sink may queue an ERROR frame; the connection closes next.</summary>
    void OnFramingError(Connection connection, FrameStatus status);

    void OnClosed(Connection connection, string reason);

    /// <summary>Once a second per connection: the sink decides whether it has been quiet too long.</summary>
    void OnIdleCheck(Connection connection, long nowMs);

    /// <summary>
    /// The socket took all pending output: a streaming sender (a download) may queue more. The
    /// kernel's send buffer still holds what was sent, so refilling now keeps the pipe full.
    /// </summary>
    void OnOutputDrained(Connection connection);
}

/// <summary>
/// One client's TCP connection on the loop: bytes in, whole frames out to the sink, replies queued
/// and flushed before the loop sleeps. Memory is bounded both ways: input by the frame size limit,
/// output by <see cref="ConnectionLimits.MaxOutputBytes"/> (a client that does not read is cut off).
/// Both buffers hold no array while empty, so an idle connection costs little.
/// </summary>
internal sealed partial class Connection : IEventHandler, ISlotted
{
    private readonly ConnectionManager _manager;
    private readonly Socket _socket;
    private readonly ByteBuffer _input = new();
    private readonly ByteBuffer _output = new();

    // With TLS: the session, and the ciphertext waiting for the socket (frames are written to
    // _output in plaintext and sealed into _wire as the socket takes them).
    private readonly ITlsSession? _tls;
    private readonly ByteBuffer _wire = new();
    private bool _tlsSeen;
    private bool _handshakeCounted;
    private ulong _token;
    private PollEvents _interest = PollEvents.Readable;
    private bool _readPaused;
    private bool _budgetPaused;

    // Bytes of the partial frame held beyond ConnectionLimits.PrivateInputBytes: this connection's share of the budget.
    private long _charged;
    private bool _cutOff;

    public Connection(ConnectionManager manager, Socket socket, long id)
    {
        _manager = manager;
        _socket = socket;
        Id = id;
        LastActivityMs = manager.Loop.Time.NowMs();
        MaxPayload = manager.Limits.MaxAnonymousPayload;
        _tls = manager.Tls?.Server.CreateSession(_wire);
        // One certificate for the listener: every connection shares its binding data.
        ChannelBinding = manager.Tls?.Identity.ChannelBinding;
        _token = manager.Loop.Register(socket, this, _interest);
    }

    /// <summary>Unique for the life of the process; shown in logs.</summary>
    public long Id { get; }

    public bool IsClosed { get; private set; }

    /// <summary>When bytes last came in (<see cref="Clock.NowMs"/> of the loop's clock): the idle sweep reads it.</summary>
    public long LastActivityMs { get; private set; }

    /// <summary>
    /// The largest payload this connection may send now: small until the sink says the peer logged
    /// in (<see cref="ConnectionLimits.MaxAnonymousPayload"/>), so a partial frame of a stranger never
    /// costs more than that; checked before anything is buffered.
    /// </summary>
    public int MaxPayload { get; set; }

    /// <summary>Protocol state, owned by the frame sink.</summary>
    public object? Session { get; set; }

    /// <summary>Position in the manager's list (swap-remove).</summary>
    public int ListIndex { get; set; } = -1;

    internal bool InPendingWrites { get; set; }

    public EndPoint? RemoteEndPoint
    {
        get
        {
            try { return _socket.RemoteEndPoint; }
            catch (ObjectDisposedException) { return null; }
            catch (SocketException) { return null; }
        }
    }

    /// <summary>Replies not yet taken by the socket: frames, and with TLS the records sealed from them.</summary>
    public int PendingOutputBytes => _output.Length + _wire.Length;

    public void OnEvents(PollEvents events)
    {
        if ((events & (PollEvents.Writable | PollEvents.Error)) != 0) Flush();
        if (!IsClosed && !_cutOff && (events & (PollEvents.Readable | PollEvents.Error)) != 0 && !_readPaused)
        {
            // A hang-up or error is reported even without read interest: one waiting for the budget
            // is closed on an error (level-triggered, it would come back every iteration), and on a
            // hang-up once its peer is gone.
            if (!_budgetPaused) Receive();
            else if ((events & PollEvents.Error) != 0) Close("failed while waiting for the input budget");
            else CheckWhileWaiting();
        }
    }

    /// <summary>Stops reading (back-pressure: too many requests in flight). The kernel buffers, then TCP pushes back.</summary>
    public void PauseReading()
    {
        if (_readPaused || IsClosed) return;
        _readPaused = true;
        UpdateInterest();
    }

    public void ResumeReading()
    {
        if (!_readPaused || IsClosed) return;
        _readPaused = false;
        UpdateInterest();
        // Frames already here would otherwise wait for the peer's next bytes (with TLS they are
        // all decrypted at once, so nothing may be left in the socket to wake us).
        if (!_input.IsEmpty) _manager.ScheduleBuffered(this);
    }

    /// <summary>The shared input budget has room again: try reading (a connection that still finds none waits again).</summary>
    internal void ResumeForBudget()
    {
        if (!_budgetPaused || IsClosed) return;
        _budgetPaused = false;
        UpdateInterest();
    }

    public void Close(string reason)
    {
        if (IsClosed) return;
        IsClosed = true;
        if (_budgetPaused) _manager.Budget.Forget(this);
        if (_charged != 0) _manager.Budget.Charge(-_charged);
        _charged = 0;
        _manager.Loop.Unregister(_token);
        _token = 0;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to shut down.
        }
        _socket.Dispose();
        _tls?.Dispose();
        _input.Release();
        _output.Release();
        _wire.Release();
        _manager.OnClosed(this, reason);
    }

    /// <summary>Once a second (the idle sweep): what a quiet connection can make again is let go.</summary>
    internal void TrimIfIdle() => _tls?.TrimIfIdle();

    private void UpdateInterest()
    {
        var wanted = PollEvents.None;
        if (!_readPaused && !_budgetPaused) wanted |= PollEvents.Readable;
        if (!_output.IsEmpty || !_wire.IsEmpty) wanted |= PollEvents.Writable;
        if (wanted == _interest) return;
        _interest = wanted;
        _manager.Loop.SetInterest(_token, wanted);
    }
}

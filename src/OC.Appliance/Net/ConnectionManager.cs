using System.Net.Sockets;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net.Tls;

namespace OC.Appliance.Net;

/// <summary>
/// Every client connection of one TCP service: accepting, the shared receive buffer, the list of
/// connections with output to flush before the loop sleeps, and the idle sweep. Loop thread only.
/// </summary>
internal sealed class ConnectionManager
{
    private readonly SlotList<Connection> _connections = new();
    private readonly List<Connection> _pendingWrites = [];
    private readonly List<Connection> _buffered = [];
    private long _nextId;

    public ConnectionManager(EventLoop loop, ConnectionLimits limits, IFrameSink sink)
    {
        Loop = loop;
        Limits = limits;
        Sink = sink;
        if (limits.SharedInputBytes < limits.MaxPayload + 16L - limits.PrivateInputBytes)
            throw new ArgumentException($"the shared input budget ({limits.SharedInputBytes} bytes) must hold the largest frame beyond a connection's own {limits.PrivateInputBytes} bytes");
        Budget = new InputBudget(limits.SharedInputBytes);
        loop.AddBeforeSleep(FlushPendingWrites);
        loop.AddTimer(TimeSpan.FromSeconds(1), SweepIdle, TimeSpan.FromSeconds(1));
    }

    public EventLoop Loop { get; }
    public ConnectionLimits Limits { get; }
    public IFrameSink Sink { get; }

    /// <summary>Partial-frame bytes beyond each connection's own allowance, shared by all.</summary>
    public InputBudget Budget { get; }

    /// <summary>One receive buffer for all connections: the loop reads one socket at a time.</summary>
    public byte[] ReceiveBuffer { get; } = new byte[64 * 1024];

    /// <summary>TLS on this listener (null: plaintext, as the admin socket and --insecure-plaintext).</summary>
    public TlsListener? Tls { get; init; }

    /// <summary>Where TLS connections decrypt into, one at a time like <see cref="ReceiveBuffer"/>.</summary>
    public byte[] PlainBuffer => _plain ??= new byte[64 * 1024];
    private byte[]? _plain;

    public long TlsHandshakes { get; set; }
    public long PlaintextRefused { get; set; }

    public int Count => _connections.Count;
    public IReadOnlyList<Connection> All => _connections.Items;

    public long BytesReceived { get; set; }
    public long BytesSent { get; set; }
    public long FramesReceived { get; set; }
    public long Accepted { get; private set; }
    public long SlowConsumersCut { get; private set; }

    /// <summary>Called with a new connection before any of its frames.</summary>
    public Action<Connection>? OnOpened { get; set; }

    public void Accept(Socket socket)
    {
        if (_connections.Count >= Limits.MaxConnections)
        {
            Log.Warn("net.connection_refused", $"at the limit of {Limits.MaxConnections} connections");
            socket.Dispose();
            return;
        }
        var connection = new Connection(this, socket, ++_nextId);
        _connections.Add(connection);
        Accepted++;
        if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("net.connected", $"#{connection.Id} from {connection.RemoteEndPoint}");
        OnOpened?.Invoke(connection);
    }

    internal void SchedulePendingWrite(Connection connection)
    {
        if (connection.InPendingWrites) return;
        connection.InPendingWrites = true;
        _pendingWrites.Add(connection);
    }

    internal void OnSlowConsumer(Connection connection)
    {
        SlowConsumersCut++;
        Log.Warn("net.slow_consumer", (connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address, $"#{connection.Id} {connection.RemoteEndPoint}: over {Limits.MaxOutputBytes} bytes of unread replies; disconnecting");
    }

    internal void OnClosed(Connection connection, string reason)
    {
        _connections.Remove(connection);
        if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("net.disconnected", $"#{connection.Id}: {reason}");
        Sink.OnClosed(connection, reason);
    }

    public void CloseAll(string reason)
    {
        for (int i = _connections.Count - 1; i >= 0; i--) _connections[i].Close(reason);
    }

    /// <summary>A connection resumed with whole frames already buffered: they are dispatched before the loop sleeps.</summary>
    internal void ScheduleBuffered(Connection connection) => _buffered.Add(connection);

    /// <summary>Runs before the loop sleeps: one send per connection with output, for all replies of this iteration.</summary>
    public void FlushPendingWrites()
    {
        // Outside any frame handler, so dispatching cannot re-enter one; replies join the flush below.
        for (int i = 0; i < _buffered.Count; i++) _buffered[i].ProcessBuffered();
        _buffered.Clear();
        // Index loop: a flush can close a connection, which never adds to this list.
        for (int i = 0; i < _pendingWrites.Count; i++)
        {
            var connection = _pendingWrites[i];
            connection.InPendingWrites = false;
            if (!connection.IsClosed) connection.Flush();
        }
        _pendingWrites.Clear();
    }

    private void SweepIdle()
    {
        Budget.CheckWaiting();
        long now = Loop.Time.NowMs();
        for (int i = _connections.Count - 1; i >= 0; i--)
        {
            if (i >= _connections.Count) continue;
            var connection = _connections[i];
            connection.TrimIfIdle();
            Sink.OnIdleCheck(connection, now);
        }
    }
}

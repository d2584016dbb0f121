using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Protocol.Client;

/// <summary>Writes one request frame with the given request id into the buffer.</summary>
public delegate void RequestWriter(ByteBuffer buffer, uint requestId);

/// <summary>
/// One client connection to an appliance: the HELLO/WELCOME handshake, then requests matched to
/// their replies by request id, the frames of file transfers routed to them by file id
/// (<see cref="SubscribeFile"/>) and the other pushed events delivered through <see cref="Events"/>.
/// Used by the `oc` client, the tests and the load generator. Thread-safe: any number of
/// requests and transfers may run at once, from any number of tasks.
/// </summary>
public sealed partial class OcConnection : IAsyncDisposable
{
    /// <summary>
    /// How many events <see cref="Events"/> holds unread. When it is full the receive loop waits:
    /// it stops reading the socket, TCP pushes back on the appliance, and the appliance closes a
    /// connection that leaves 4 MiB unread (docs/protocol.md, "Limits"); a live session then
    /// reconnects and SYNCs from its cursor. So a slow reader bounds memory on both sides and loses
    /// nothing, where dropping events would lose messages. The price: while it is full, replies
    /// and transfers on the connection wait too, so a reader of Events must not wait for a reply
    /// with thousands of events unread. A SYNC page (at most 1,000 messages) is queued whole before
    /// its SYNCED reply, so this must stay well above that. File streams do not queue here: a
    /// download's FILE_DATA is bounded by its window (16 MiB beyond the last FILE_ACK) and an
    /// upload keeps only its latest FILE_PROGRESS.
    /// </summary>
    private const int EventQueueFrames = 4096;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<ReceivedFrame>> _pending = new();
    private readonly Channel<ReceivedFrame> _events = Channel.CreateBounded<ReceivedFrame>(
        new BoundedChannelOptions(EventQueueFrames) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closing = new();
    private readonly ByteBuffer _sendBuffer = new();
    private int _nextRequestId;
    private Task? _receiveLoop;
    private Task? _keepAlive;
    private Exception? _closedBecause;
    private int _maxPayload = Frame.DefaultMaxPayload;
    private readonly string _peer;

    private OcConnection(Socket socket, Stream stream, string peer, ApplianceCertificate? certificate)
    {
        _socket = socket;
        _peer = peer;
        _stream = stream;
        Certificate = certificate;
        if (certificate is not null) ChannelBinding = Security.ChannelBinding.TlsServerEndPoint(certificate.Der);
    }

    /// <summary>The certificate the appliance presented and the transport accepted; null on a plaintext connection.</summary>
    public ApplianceCertificate? Certificate { get; }

    public Welcome Welcome { get; private set; }

    /// <summary>
    /// Events pushed by the appliance (request id 0) that no file transfer subscribed to, in arrival
    /// order: the general subscriber's queue (a live session's MESSAGE, PRESENCE, FILE_RECEIVED...).
    /// One reader at a time. Bounded: see <see cref="EventQueueFrames"/>.
    /// </summary>
    public ChannelReader<ReceivedFrame> Events => _events.Reader;

    /// <summary>Completes when the connection is closed, by either side.</summary>
    public Task Completion => _receiveLoop ?? Task.CompletedTask;

    /// <summary>Why the connection ended (null while it is open or after a clean close by us).</summary>
    public Exception? ClosedBecause => _closedBecause;

    /// <summary>
    /// Connects, secures the connection as <paramref name="transport"/> says (TLS 1.3 first, then
    /// HELLO: docs/protocol.md, "Connecting"), and exchanges HELLO and WELCOME.
    /// <see cref="OcUntrustedCertificateException"/> when the certificate is not trusted (nothing was sent).
    /// </summary>
    public static async Task<OcConnection> ConnectAsync(string host, int port, string clientName, OcTransport transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new OcConnectionException($"cannot connect to {Endpoint(host, port)}: {Describe(e)}", e);
        }

        string peer = Endpoint(host, port);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        ApplianceCertificate? certificate = null;
        if (transport.IsTls)
        {
            try
            {
                (stream, certificate) = await TlsHandshake.RunAsync(stream, host, peer, transport, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return await HandshakeAsync(new OcConnection(socket, stream, peer, certificate), clientName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects to the appliance's admin socket, a Unix domain socket in its data folder
    /// (docs/protocol.md, "The admin socket"). <see cref="SocketException"/> when nothing listens there
    /// (ConnectionRefused: a socket file left behind; AddressNotAvailable or a missing file: none).
    /// </summary>
    public static async Task<OcConnection> ConnectUnixAsync(string path, string clientName, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return await HandshakeAsync(new OcConnection(socket, new NetworkStream(socket, ownsSocket: true), path, certificate: null), clientName, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<OcConnection> HandshakeAsync(OcConnection connection, string clientName, CancellationToken cancellationToken)
    {
        try
        {
            connection._receiveLoop = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
            var reply = await connection.RequestAsync(
                (b, id) => Hello.Write(b, id, new Hello(ProtocolLimits.Version, ProtocolLimits.Version, clientName)),
                cancellationToken).ConfigureAwait(false);
            if (reply.Type != FrameType.Welcome || !Welcome.TryRead(reply.Payload, out var welcome))
                throw new OcConnectionException($"{connection._peer} did not answer HELLO with WELCOME: is it an OC appliance?");
            connection.Welcome = welcome;
            connection._maxPayload = (int)Math.Min(welcome.MaxPayload, int.MaxValue);
            connection._keepAlive = Task.Run(connection.KeepAliveLoopAsync, CancellationToken.None);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends a request and waits for its reply. An ERROR reply is thrown as <see cref="OcErrorException"/>;
    /// a broken connection as <see cref="OcConnectionException"/>.
    /// </summary>
    public async Task<ReceivedFrame> RequestAsync(RequestWriter write, CancellationToken cancellationToken = default)
    {
        uint id = NextRequestId();
        var reply = new TaskCompletionSource<ReceivedFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            await SendAsync(b => write(b, id), cancellationToken).ConfigureAwait(false);
            using var registration = cancellationToken.Register(() => reply.TrySetCanceled(cancellationToken));
            var frame = await reply.Task.ConfigureAwait(false);
            if (frame.Type == FrameType.Error)
            {
                ErrorReply.TryRead(frame.Payload, out var error);
                throw new OcErrorException(error);
            }
            return frame;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Sends frames without waiting for anything (e.g. a window of requests). Whole: the frames of
    /// one call go out together, never interleaved with another caller's.
    /// <paramref name="cancellationToken"/> cancels the wait for a turn to send, not the write:
    /// a frame cut off half way would garble the stream for everyone on the connection.
    /// </summary>
    public async Task SendAsync(Action<ByteBuffer> write, CancellationToken cancellationToken = default)
    {
        // Closed, or disposed (then the lock is gone too): say so, rather than ObjectDisposedException.
        if (_closedBecause is not null) throw Closed();
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closedBecause is not null) throw Closed();
            _sendBuffer.Consume(_sendBuffer.Length);
            write(_sendBuffer);
            await _stream.WriteAsync(_sendBuffer.Memory, _closing.Token).ConfigureAwait(false);
        }
        catch (IOException e) when (e is not OcConnectionException)
        {
            throw Fail(new OcConnectionException("connection to the appliance lost: " + e.Message, e));
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            throw Closed();
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Registers a reply slot for a request id that the caller writes itself with <see cref="SendAsync"/>.</summary>
    public uint NextRequestId()
    {
        uint id;
        do { id = (uint)Interlocked.Increment(ref _nextRequestId); } while (id == Frame.NoRequest);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        _closedBecause ??= new OcConnectionException("connection closed");
        await _closing.CancelAsync().ConfigureAwait(false);
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        await _stream.DisposeAsync().ConfigureAwait(false);
        if (_receiveLoop is not null) await _receiveLoop.ConfigureAwait(false);
        if (_keepAlive is not null) await _keepAlive.ConfigureAwait(false);
        _sendBuffer.Release();
        _closing.Dispose();
        _sendLock.Dispose();
    }

    private OcConnectionException Closed() =>
        _closedBecause as OcConnectionException ?? new OcConnectionException("connection closed", _closedBecause!);

    private OcConnectionException Fail(OcConnectionException e)
    {
        _closedBecause ??= e;
        return e;
    }

    /// <summary>host:port, with an IPv6 address in brackets ([::1]:6677) so the port stays readable.</summary>
    internal static string Endpoint(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";

    internal static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused (is oc-appliance running there?)",
        SocketError.HostNotFound or SocketError.NoData => "unknown host",
        SocketError.TimedOut => "timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
        _ => e.Message,
    };
}

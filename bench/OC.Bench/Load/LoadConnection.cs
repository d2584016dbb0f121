using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load;

/// <summary>
/// A lean client connection for load: raw socket, the protocol's own <see cref="FrameWriter"/> and
/// <see cref="FrameParser"/>, reused buffers, no per-request task or dictionary (unlike
/// OcConnection, which is built for correctness, not for sharing two cores with the appliance).
/// Against a TLS appliance an <see cref="SslStream"/> sits on the socket (TLS 1.3, any
/// certificate: the bench measures its own appliance) and the same buffers go through it.
/// </summary>
internal sealed class LoadConnection : IDisposable
{
    private const int ReceiveChunk = 64 * 1024;

    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly ByteBuffer _output = new();
    private readonly ByteBuffer _input = new();

    private LoadConnection(Socket socket, SslStream? tls, byte[]? channelBinding)
    {
        _socket = socket;
        _tls = tls;
        ChannelBinding = channelBinding;
    }

    public ByteBuffer Output => _output;

    /// <summary>
    /// The <c>tls-server-end-point</c> data of the certificate the appliance showed in the
    /// handshake (what a SCRAM-SHA-256-PLUS login binds to); null in plaintext.
    /// </summary>
    public byte[]? ChannelBinding { get; }

    /// <summary>Connects to <paramref name="target"/> as it speaks: TLS (the handshake done here) or plaintext.</summary>
    public static Task<LoadConnection> ConnectAsync(Target target, CancellationToken cancellationToken) =>
        ConnectAsync(target.EndPoint, target.Tls, cancellationToken);

    public static async Task<LoadConnection> ConnectAsync(IPEndPoint endPoint, bool tls, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            if (!tls) return new LoadConnection(socket, null, null);
            return await HandshakeAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<LoadConnection> HandshakeAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[]? certificate = null;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "",
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            // Any certificate (as OcTransport.InsecureAnyCertificate); its bytes are kept for the channel binding.
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
            {
                certificate = presented?.GetRawCertData();
                return certificate is not null;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return new LoadConnection(socket, ssl, OC.Protocol.Security.ChannelBinding.TlsServerEndPoint(certificate!));
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects and says HELLO; returns once WELCOME is there.</summary>
    public static async Task<LoadConnection> ConnectAndHelloAsync(Target target, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            WriteHello(connection.Output);
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
            var (header, _) = await connection.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (header.Type != FrameType.Welcome) throw new InvalidOperationException($"HELLO was answered with {header.Type}");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static void WriteHello(ByteBuffer buffer) =>
        Hello.Write(buffer, 1, new Hello(ProtocolLimits.Version, ProtocolLimits.Version, "oc-bench"));

    /// <summary>Sends everything in <see cref="Output"/> (through TLS: sealed in records of up to 16 KiB by SslStream).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_output.IsEmpty) return;
        if (_tls is not null)
        {
            await _tls.WriteAsync(_output.Memory, cancellationToken).ConfigureAwait(false);
            _output.Consume(_output.Length);
            return;
        }
        while (!_output.IsEmpty)
        {
            int n = await _socket.SendAsync(_output.Memory, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            _output.Consume(n);
        }
    }

    /// <summary>Sends <paramref name="data"/> as it is, after <see cref="Output"/> (the soak's attackers share one large body between connections).</summary>
    public async ValueTask SendRawAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_tls is not null)
        {
            await _tls.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }
        while (!data.IsEmpty)
        {
            int n = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>Receives once into the input buffer (decrypted, with TLS); false when the appliance closed the connection.</summary>
    public async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        var memory = _input.GetMemory(ReceiveChunk);
        int n = _tls is not null
            ? await _tls.ReadAsync(memory, cancellationToken).ConfigureAwait(false)
            : await _socket.ReceiveAsync(memory, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (n == 0) return false;
        _input.Advance(n);
        return true;
    }

    /// <summary>
    /// <see cref="FlushAsync"/> as a blocking call, for a probe on a thread of its own (the pool
    /// may be busy with the load it measures). Not to be mixed with an async call in flight.
    /// </summary>
    public void Flush()
    {
        if (_output.IsEmpty) return;
        if (_tls is not null)
        {
            _tls.Write(_output.Span);
            _output.Consume(_output.Length);
            return;
        }
        while (!_output.IsEmpty) _output.Consume(_socket.Send(_output.Span, SocketFlags.None));
    }

    /// <summary><see cref="ReceiveAsync"/> as a blocking call (see <see cref="Flush"/>); an IOException after <see cref="SetBlockingTimeout"/>.</summary>
    public bool Receive()
    {
        var span = _input.GetSpan(ReceiveChunk);
        int n = _tls is not null ? _tls.Read(span) : _socket.Receive(span, SocketFlags.None);
        if (n == 0) return false;
        _input.Advance(n);
        return true;
    }

    /// <summary>How long the blocking <see cref="Flush"/> and <see cref="Receive"/> wait before they fail.</summary>
    public void SetBlockingTimeout(TimeSpan timeout)
    {
        _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        _socket.SendTimeout = (int)timeout.TotalMilliseconds;
    }

    /// <summary>Takes the next whole frame off the input buffer, if there is one. Allocates nothing.</summary>
    public bool TryTakeFrame(out FrameHeader header, out ReadOnlySpan<byte> payload)
    {
        var data = _input.Span;
        var status = FrameParser.TryReadFrame(data, Frame.DefaultMaxPayload, out header);
        if (status == FrameStatus.NeedMoreData)
        {
            payload = default;
            return false;
        }
        if (status != FrameStatus.Complete) throw new InvalidOperationException($"the appliance sent a bad frame ({status})");
        // Sliced here rather than with FrameParser.Payload: its `in FrameHeader` parameter is not
        // `scoped`, so the compiler will not let its result leave a method with an out header.
        payload = data.Slice(Frame.HeaderSize, header.PayloadLength);
        return true;
    }

    /// <summary>Drops the frame returned by the last <see cref="TryTakeFrame"/> (its payload span dies with it).</summary>
    public void Consume(in FrameHeader header) => _input.Consume(header.TotalLength);

    /// <summary>Waits for one frame and returns a copy of it. For set-up steps, not for the measured loop.</summary>
    public async Task<(FrameHeader Header, byte[] Payload)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryCopyFrame(out var frame)) return frame;
            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
                throw new IOException("the appliance closed the connection");
        }
    }

    /// <summary>
    /// Sends one request and waits for the frame that answers it, skipping events (request id 0)
    /// that arrive meanwhile. For set-up steps, not for the measured loop.
    /// </summary>
    public async Task<(FrameHeader Header, byte[] Payload)> RequestAsync(RequestWriter write, uint requestId, CancellationToken cancellationToken)
    {
        write(_output, requestId);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var frame = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (frame.Header.RequestId == requestId) return frame;
            if (frame.Header.RequestId != Frame.NoRequest || frame.Header.Type == FrameType.Error)
            {
                ErrorReply.TryRead(frame.Payload, out var error);
                throw new IOException($"waiting for the reply to request {requestId}, the appliance sent {frame.Header.Type} for request {frame.Header.RequestId} {error.Code} {error.Message}");
            }
        }
    }

    private bool TryCopyFrame(out (FrameHeader Header, byte[] Payload) frame)
    {
        if (!TryTakeFrame(out var header, out var payload))
        {
            frame = default;
            return false;
        }
        frame = (header, payload.ToArray());
        Consume(header);
        return true;
    }

    /// <summary>
    /// Keeps <paramref name="window"/> requests in flight until <paramref name="run"/> ends, then
    /// waits for the last replies. A request's id names its slot (low 16 bits, 1-based) so its send
    /// time is found without a lookup; replies may come in any order.
    /// </summary>
    public async Task RunWindowAsync(int window, RequestWriter write, FrameType expectedReply, MeasuredRun run, ConnectionStats stats, CancellationToken cancellationToken)
    {
        var sentAt = new long[window];
        var generation = new ushort[window];
        for (int slot = 0; slot < window; slot++)
        {
            write(_output, RequestId(slot, 0));
            sentAt[slot] = Stopwatch.GetTimestamp();
        }
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        int outstanding = window;
        bool stopping = false;
        while (outstanding > 0)
        {
            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
                throw new IOException("the appliance closed the connection");
            long now = Stopwatch.GetTimestamp();
            stopping |= now >= run.EndTicks;
            outstanding -= OnReplies(now, stopping, sentAt, generation, write, expectedReply, run, stats);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Synchronous so the payload spans never live across an await.
    private int OnReplies(long now, bool stopping, long[] sentAt, ushort[] generation, RequestWriter write, FrameType expectedReply, MeasuredRun run, ConnectionStats stats)
    {
        int finished = 0;
        bool measured = now >= run.StartTicks && now < run.EndTicks;
        while (TryTakeFrame(out var header, out var payload))
        {
            int slot = (int)(header.RequestId & 0xFFFF) - 1;
            if (header.RequestId == Frame.NoRequest || slot < 0 || slot >= sentAt.Length)
            {
                ErrorReply.TryRead(payload, out var fatal);
                throw new IOException($"the appliance sent {header.Type} for request {header.RequestId}: {fatal.Code} {fatal.Message}");
            }
            if (header.Type == expectedReply)
            {
                if (measured)
                {
                    stats.Completed++;
                    stats.Latencies.Add(now - sentAt[slot]);
                }
            }
            else
            {
                ErrorReply.TryRead(payload, out var error);
                stats.Errors++;
                stats.LastError = $"{header.Type} {error.Code}: {error.Message}";
            }
            Consume(header);

            if (stopping)
            {
                finished++;
                continue;
            }
            generation[slot]++;
            write(_output, RequestId(slot, generation[slot]));
            sentAt[slot] = now;
            stats.Sent++;
        }
        return finished;
    }

    private static uint RequestId(int slot, ushort generation) => ((uint)generation << 16) | (uint)(slot + 1);

    /// <summary>Gives both buffers back to the pool while nothing is pending (idle connections).</summary>
    public void ReleaseBuffers()
    {
        if (_input.IsEmpty) _input.Release();
        if (_output.IsEmpty) _output.Release();
    }

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
        _output.Release();
        _input.Release();
    }
}

/// <summary>Writes one request with the given id (a delegate cached once per run, so nothing allocates per request).</summary>
internal delegate void RequestWriter(ByteBuffer buffer, uint requestId);

/// <summary>The measured window of a run, in <see cref="Stopwatch"/> ticks, shared by all its connections.</summary>
internal sealed class MeasuredRun(long startTicks, long endTicks)
{
    public long StartTicks { get; } = startTicks;
    public long EndTicks { get; } = endTicks;
    public double Seconds => (EndTicks - StartTicks) / (double)Stopwatch.Frequency;
}

/// <summary>One connection's counts; merged after the run (each is touched by one task at a time).</summary>
internal sealed class ConnectionStats
{
    public long Completed { get; set; }
    public long Sent { get; set; }
    public long Errors { get; set; }
    public string? LastError { get; set; }
    public LatencyLog Latencies { get; } = new();
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OC.Bench.Load;

/// <summary>
/// `chat --redis`: the reference. The same load as chat against Redis pub/sub (which stores
/// nothing): per pair a subscriber on a channel of its own and a publisher that keeps W PUBLISH in
/// flight (a new one for each reply), the same payload size, the latency from writing the PUBLISH
/// to reading the message at the subscriber. The clients are built like chat's (async sockets on
/// the thread pool, one task per connection), so both pay the same generator costs.
/// </summary>
/// <remarks>
/// redis-server runs as a child on 127.0.0.1 and a free port, with nothing saved (--save "",
/// --appendonly no) and its working folder in the temp folder, both cleaned up by
/// <see cref="BenchCleanup"/> whatever happens. The payload's first 8 bytes are a counter
/// (big-endian, the top bit on the publisher's last message), the next 8 the publisher's
/// <see cref="Stopwatch"/> timestamp, as in chat's message ids.
/// </remarks>
internal static class ChatRedis
{
    private const ulong LastMessageFlag = 1UL << 63;

    public static async Task<RedisResult> RunAsync(LoadOptions options, int pairs)
    {
        using var server = RedisServer.Start(options);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(600 + options.WarmupSeconds + options.DurationSeconds));
        var publishers = new RespConnection[pairs];
        var subscribers = new RespConnection[pairs];
        try
        {
            using (LoadRunner.Phase(options, $"set up {pairs} Redis pairs", TimeSpan.FromSeconds(60 + pairs * 0.1)))
            {
                for (int i = 0; i < pairs; i++)
                {
                    subscribers[i] = await RespConnection.ConnectAsync(server.EndPoint, cancel.Token).ConfigureAwait(false);
                    publishers[i] = await RespConnection.ConnectAsync(server.EndPoint, cancel.Token).ConfigureAwait(false);
                    await subscribers[i].SubscribeAsync(Channel(i), cancel.Token).ConfigureAwait(false);
                }
            }

            long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
            var run = new MeasuredRun(start, start + (long)(options.DurationSeconds * Stopwatch.Frequency));
            var senders = new SenderStats[pairs];
            var receivers = new ReceiverStats[pairs];
            var tasks = new List<Task>(2 * pairs);
            for (int i = 0; i < pairs; i++)
            {
                var (publisher, subscriber, channel) = (publishers[i], subscribers[i], Channel(i));
                var (sender, receiver) = (senders[i] = new SenderStats(), receivers[i] = new ReceiverStats());
                tasks.Add(Task.Run(() => ReceiveAsync(subscriber, run, receiver, cancel.Token)));
                tasks.Add(Task.Run(() => PublishAsync(publisher, channel, options.MessageSize, options.Window, run, sender, cancel.Token)));
            }
            using (LoadRunner.Phase(options, "Redis traffic", TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds + 120)))
                await Task.WhenAll(tasks).ConfigureAwait(false);

            long delivered = receivers.Sum(r => r.Delivered);
            return new RedisResult(delivered / run.Seconds, LatencyLog.Merge(receivers.Select(r => r.Latencies)), server.Version);
        }
        finally
        {
            foreach (var c in publishers) c?.Dispose();
            foreach (var c in subscribers) c?.Dispose();
        }
    }

    private static byte[] Channel(int pair) => Encoding.ASCII.GetBytes($"oc-bench:{pair}");

    private static async Task PublishAsync(RespConnection connection, byte[] channel, int size, int window, MeasuredRun run, SenderStats stats, CancellationToken cancellationToken)
    {
        var payload = new byte[Math.Max(16, size)];
        for (int i = 16; i < payload.Length; i++) payload[i] = (byte)('a' + i % 26);
        // Replies come in order: the send times of the messages in flight, oldest first.
        var sentAt = new Queue<long>(window);
        ulong counter = 0;
        bool lastSent = false;

        void Publish(long now, bool last)
        {
            BinaryPrimitives.WriteUInt64BigEndian(payload, ++counter | (last ? LastMessageFlag : 0));
            BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), now);
            connection.WritePublish(channel, payload);
            sentAt.Enqueue(now);
            stats.SentTotal++;
            lastSent |= last;
        }

        long t = Stopwatch.GetTimestamp();
        for (int i = 0; i < window; i++) Publish(t, last: false);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (sentAt.Count > 0)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false)) throw new IOException("redis closed the publisher's connection");
            long now = Stopwatch.GetTimestamp();
            bool measured = now >= run.StartTicks && now < run.EndTicks;
            bool stopping = now >= run.EndTicks;
            while (connection.TryTakeReply(out var kind, out _))
            {
                if (kind != RespKind.Integer) throw new IOException("redis answered PUBLISH with an error");
                long at = sentAt.Dequeue();
                stats.AckedTotal++;
                if (measured)
                {
                    stats.Acked++;
                    stats.AckLatencies.Add(now - at);
                }
                if (stopping && lastSent) continue;
                Publish(now, last: stopping);
            }
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ReceiveAsync(RespConnection connection, MeasuredRun run, ReceiverStats stats, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false)) throw new IOException("redis closed the subscriber's connection");
            long now = Stopwatch.GetTimestamp();
            bool measured = now >= run.StartTicks && now < run.EndTicks;
            bool done = false;
            while (connection.TryTakeReply(out var kind, out var payload))
            {
                if (kind != RespKind.Message) continue;
                ulong counter = BinaryPrimitives.ReadUInt64BigEndian(payload.Span);
                long sentAt = BinaryPrimitives.ReadInt64LittleEndian(payload.Span[8..]);
                stats.DeliveredTotal++;
                if (measured)
                {
                    stats.Delivered++;
                    stats.Latencies.Add(now - sentAt);
                }
                done |= (counter & LastMessageFlag) != 0;
            }
            if (done) return;
        }
    }
}

internal readonly record struct RedisResult(double DeliveredPerSecond, Percentiles EndToEnd, string Version);

/// <summary>redis-server as a child process on 127.0.0.1 and a free port, saving nothing; killed and its folder deleted on dispose.</summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private RedisServer(Process process, string folder, IPEndPoint endPoint, string version)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
        Version = version;
    }

    public IPEndPoint EndPoint { get; }
    public string Version { get; }

    public static RedisServer Start(LoadOptions options)
    {
        var folder = Path.Combine(options.DataRoot ?? Path.GetTempPath(), $"oc-bench-redis-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        BenchCleanup.TrackFolder(folder);
        int port = FreePort();
        var start = new ProcessStartInfo(options.RedisServerPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", folder, "--protected-mode", "no", "--loglevel", "warning"])
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            BenchCleanup.DeleteFolder(folder);
            throw new UsageException($"--redis: could not start {options.RedisServerPath} ({e.Message}); apt-get install -y redis-server");
        }
        BenchCleanup.TrackProcess(process);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var server = new RedisServer(process, folder, endPoint, VersionOf(options.RedisServerPath));
        // Ready when it accepts a connection (it logs nothing at --loglevel warning).
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Connect(endPoint);
                return server;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline && !process.HasExited)
            {
                // Not listening yet: wait a little (and notice at once if it exits instead).
                process.WaitForExit(20);
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        BenchCleanup.ForgetProcess(_process);
        _process.Dispose();
        BenchCleanup.DeleteFolder(_folder);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string VersionOf(string path)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            if (p is null) return "?";
            string text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(5000);
            return text;
        }
        catch (System.ComponentModel.Win32Exception) { return "?"; }
    }
}

internal enum RespKind
{
    Integer,
    Error,
    /// <summary>A pub/sub push: ["message", channel, payload].</summary>
    Message,
    /// <summary>Anything else (the SUBSCRIBE confirmation, a status line).</summary>
    Other,
}

/// <summary>
/// The RESP2 needed for PUBLISH and SUBSCRIBE (redis.io/docs/reference/protocol-spec): commands
/// as arrays of bulk strings, replies as integers, errors, and the subscriber's pushes (arrays of
/// bulk strings). Plaintext, reused buffers, like <see cref="LoadConnection"/>.
/// </summary>
internal sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly OC.Protocol.Framing.ByteBuffer _output = new();
    private readonly OC.Protocol.Framing.ByteBuffer _input = new();
    private readonly byte[] _payload = new byte[16];

    private RespConnection(Socket socket) => _socket = socket;

    public static async Task<RespConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new RespConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SubscribeAsync(byte[] channel, CancellationToken cancellationToken)
    {
        WriteCommand("SUBSCRIBE"u8, channel, default);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false)) throw new IOException("redis closed the connection");
            if (TryTakeReply(out var kind, out _))
            {
                if (kind is RespKind.Error) throw new IOException("redis refused SUBSCRIBE");
                return;
            }
        }
    }

    /// <summary>PUBLISH channel payload, into the output (sent by <see cref="FlushAsync"/>).</summary>
    public void WritePublish(byte[] channel, ReadOnlySpan<byte> payload) => WriteCommand("PUBLISH"u8, channel, payload);

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        while (!_output.IsEmpty)
        {
            int n = await _socket.SendAsync(_output.Memory, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            _output.Consume(n);
        }
    }

    public async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        var memory = _input.GetMemory(64 * 1024);
        int n = await _socket.ReceiveAsync(memory, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (n == 0) return false;
        _input.Advance(n);
        return true;
    }

    /// <summary>Takes one whole reply from the input; for a message push, <paramref name="stamp"/> is its payload's first 16 bytes.</summary>
    public bool TryTakeReply(out RespKind kind, out ReadOnlyMemory<byte> stamp)
    {
        stamp = default;
        kind = RespKind.Other;
        var data = _input.Span;
        int at = 0;
        if (!TryReadValue(data, ref at, ref kind, depth: 0, index: 0)) return false;
        if (kind == RespKind.Message) stamp = _payload;
        _input.Consume(at);
        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _output.Release();
        _input.Release();
    }

    // One RESP value at data[at..]; false when it is not all there yet. Of an array, element 0
    // "message" makes it a push, and element 2 is its payload.
    private bool TryReadValue(ReadOnlySpan<byte> data, ref int at, ref RespKind kind, int depth, int index)
    {
        if (!TryReadLine(data, ref at, out var line)) return false;
        switch (line[0])
        {
            case (byte)':':
                if (depth == 0) kind = RespKind.Integer;
                return true;
            case (byte)'-':
                if (depth == 0) kind = RespKind.Error;
                return true;
            case (byte)'+':
                return true;
            case (byte)'$':
            {
                int length = int.Parse(line[1..], CultureInfo.InvariantCulture);
                if (length < 0) return true;
                if (data.Length - at < length + 2) return false;
                var bulk = data.Slice(at, length);
                if (depth == 1 && index == 0 && bulk.SequenceEqual("message"u8)) kind = RespKind.Message;
                if (depth == 1 && index == 2 && kind == RespKind.Message) bulk[..Math.Min(16, bulk.Length)].CopyTo(_payload);
                at += length + 2;
                return true;
            }
            case (byte)'*':
            {
                int count = int.Parse(line[1..], CultureInfo.InvariantCulture);
                for (int i = 0; i < count; i++)
                {
                    if (!TryReadValue(data, ref at, ref kind, depth + 1, i)) return false;
                }
                return true;
            }
            default:
                throw new IOException($"redis sent an unexpected reply type '{(char)line[0]}'");
        }
    }

    private static bool TryReadLine(ReadOnlySpan<byte> data, ref int at, out ReadOnlySpan<byte> line)
    {
        int end = data[at..].IndexOf("\r\n"u8);
        if (end < 0)
        {
            line = default;
            return false;
        }
        line = data.Slice(at, end);
        at += end + 2;
        return true;
    }

    private void WriteCommand(ReadOnlySpan<byte> name, ReadOnlySpan<byte> argument, ReadOnlySpan<byte> payload)
    {
        bool hasPayload = name.SequenceEqual("PUBLISH"u8);
        WriteAscii(hasPayload ? "*3\r\n" : "*2\r\n");
        WriteBulk(name);
        WriteBulk(argument);
        if (hasPayload) WriteBulk(payload);
    }

    private void WriteBulk(ReadOnlySpan<byte> value)
    {
        WriteAscii("$");
        WriteAscii(value.Length.ToString(CultureInfo.InvariantCulture));
        WriteAscii("\r\n");
        _output.Write(value);
        WriteAscii("\r\n");
    }

    private void WriteAscii(string text)
    {
        Span<byte> bytes = stackalloc byte[text.Length];
        Encoding.ASCII.GetBytes(text, bytes);
        _output.Write(bytes);
    }
}

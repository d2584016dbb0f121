using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OC.Bench.Load;

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

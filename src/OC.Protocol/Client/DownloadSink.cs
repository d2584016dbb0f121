using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// One download's FILE_DATA, taken on the connection's receive loop (<see cref="IEventInterceptor"/>):
/// each frame is checked for order, hashed there, and copied into a pooled buffer for the writer
/// (<see cref="OcFiles.DownloadAsync"/>). Hashing on the receive loop and writing on the caller's
/// side run on two threads, so neither waits for the other.
/// </summary>
internal sealed class DownloadSink : IEventInterceptor, IDisposable
{
    private static readonly ArrayPool<byte> s_pool = ArrayPool<byte>.Create(ProtocolLimits.MaxFileChunkBytes, 128);

    private readonly ulong _fileId;
    private readonly IncrementalHash _hash;
    private readonly Channel<Piece> _pieces = Channel.CreateUnbounded<Piece>(new() { SingleReader = true, SingleWriter = true });
    private long _next;

    /// <summary>A run of bytes to write, in a pooled buffer (give it back with <see cref="Return"/>). The stream's end, or why it broke, is the channel's completion.</summary>
    internal readonly record struct Piece(byte[] Buffer, int Length);

    public DownloadSink(ulong fileId, long offset, IncrementalHash hash)
    {
        _fileId = fileId;
        _next = offset;
        _hash = hash;
    }

    public ChannelReader<Piece> Pieces => _pieces.Reader;

    public bool TryTake(FrameType type, ReadOnlySpan<byte> payload)
    {
        if (type == FrameType.Error)
        {
            // A stream error (request id 0) is about a transfer of this connection: this is the one.
            ErrorReply.TryRead(payload, out var error);
            _pieces.Writer.TryComplete(new OcErrorException(error));
            return true;
        }
        if (type != FrameType.FileData || !FileChunk.TryRead(payload, out ulong id, out ulong at, out var data) || id != _fileId) return false;
        if ((long)at != _next)
        {
            _pieces.Writer.TryComplete(new OcConnectionException($"FILE_DATA at {at}, expected {_next}"));
            return true;
        }
        _hash.AppendData(data);
        _next += data.Length;
        var buffer = s_pool.Rent(data.Length);
        data.CopyTo(buffer);
        if (!_pieces.Writer.TryWrite(new Piece(buffer, data.Length))) s_pool.Return(buffer);
        return true;
    }

    public void OnClosed(Exception reason) => _pieces.Writer.TryComplete(reason);

    public static void Return(byte[] buffer) => s_pool.Return(buffer);

    /// <summary>Ends the stream (the download is over or abandoned) and gives back what was not written.</summary>
    public void Dispose()
    {
        _pieces.Writer.TryComplete();
        while (_pieces.Reader.TryRead(out var piece)) s_pool.Return(piece.Buffer);
    }
}

using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// One download's FILE_DATA, routed to it by file id on the connection's receive loop
/// (<see cref="IFileSubscriber"/>): each frame is checked for order, hashed there, and copied into a
/// pooled buffer for the writer (<see cref="OcFiles.DownloadAsync"/>). Hashing on the receive loop
/// and writing on the caller's side run on two threads, so neither waits for the other.
/// </summary>
/// <remarks>
/// The queue of pieces needs no bound of its own: the appliance sends at most 16 MiB beyond the
/// last FILE_ACK, and the writer acknowledges only what it wrote. After <see cref="Dispose"/> the
/// sink drops what still comes (a download stopped early stays subscribed until the appliance
/// confirms it stopped, so its last frames do not land in the connection's Events).
/// </remarks>
internal sealed class DownloadSink : IFileSubscriber, IDisposable
{
    private static readonly ArrayPool<byte> s_pool = ArrayPool<byte>.Create(ProtocolLimits.MaxFileChunkBytes, 128);

    private readonly ulong _fileId;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Channel<Piece> _pieces = Channel.CreateUnbounded<Piece>(new() { SingleReader = true, SingleWriter = true });

    // The receive loop hashes while the caller may be disposing: the hash is touched only under it.
    private readonly Lock _gate = new();
    private long _next;
    private bool _disposed;

    /// <summary>A run of bytes to write, in a pooled buffer (give it back with <see cref="Return"/>). The stream's end, or why it broke, is the channel's completion.</summary>
    internal readonly record struct Piece(byte[] Buffer, int Length);

    public DownloadSink(ulong fileId, long offset)
    {
        _fileId = fileId;
        _next = offset;
    }

    public ChannelReader<Piece> Pieces => _pieces.Reader;

    /// <summary>Hashes the bytes the destination holds already (a resume), before the stream starts.</summary>
    public void HashExisting(ReadOnlySpan<byte> data)
    {
        lock (_gate) _hash.AppendData(data);
    }

    /// <summary>The SHA-256 of everything received (and held before); the sink takes no more data.</summary>
    public byte[] FinishHash()
    {
        lock (_gate)
        {
            _disposed = true;
            return _hash.GetHashAndReset();
        }
    }

    public void OnFrame(FrameType type, ReadOnlySpan<byte> payload)
    {
        if (type != FrameType.FileData || !FileChunk.TryRead(payload, out ulong id, out ulong at, out var data) || id != _fileId) return;
        lock (_gate)
        {
            if (_disposed) return;
            if ((long)at != _next)
            {
                _pieces.Writer.TryComplete(new OcConnectionException($"FILE_DATA at {at}, expected {_next}"));
                return;
            }
            _hash.AppendData(data);
            _next += data.Length;
        }
        var buffer = s_pool.Rent(data.Length);
        data.CopyTo(buffer);
        if (!_pieces.Writer.TryWrite(new Piece(buffer, data.Length))) s_pool.Return(buffer);
    }

    public void OnStreamError(OcErrorException error) => _pieces.Writer.TryComplete(error);

    public void OnClosed(Exception reason) => _pieces.Writer.TryComplete(reason);

    public static void Return(byte[] buffer) => s_pool.Return(buffer);

    /// <summary>Ends the stream (the download is over or abandoned) and gives back what was not written.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _hash.Dispose();
        }
        _pieces.Writer.TryComplete();
        while (_pieces.Reader.TryRead(out var piece)) s_pool.Return(piece.Buffer);
    }
}

using System.Buffers.Binary;
using System.Threading.Tasks.Sources;
using OC.Protocol.Framing;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// What an <see cref="SslStreamSession"/>'s SslStream reads and writes: ciphertext the loop fed,
/// and the connection's wire buffer. Nothing here waits. A read is served at once when a whole TLS
/// record is here, one record at a time, so SslStream never holds ciphertext of its own beyond the
/// record it is working on and the session always knows whether a read of plaintext can complete
/// now (<see cref="HasRecord"/>). Otherwise the read stays pending (an <see cref="IValueTaskSource{T}"/>
/// whose continuation runs inline) until <see cref="Wake"/>, called by the session on the loop
/// thread after more ciphertext was fed: SslStream's own work then runs inside that call. Writes
/// (handshake messages, records, alerts) are appended to the wire buffer at once.
/// </summary>
internal sealed class LoopCipherStream : Stream, IValueTaskSource<int>
{
    // A TLS record: type (1), legacy version (2), length (2), then that many bytes. TLS 1.3 never
    // sends more than 2^14 + 256 bytes in one (RFC 8446 §5.2); a longer length is not TLS.
    private const int HeaderSize = 5;
    private const int MaxRecordBody = 16 * 1024 + 256;

    private readonly SslStreamServer _server;
    private readonly int _loopThread;
    private readonly ByteBuffer _wire;
    private readonly ByteBuffer _cipher = new();

    // Bytes of the record being handed to SslStream that it has not taken yet.
    private int _handingOut;

    // The read SslStream is waiting on, if any: the memory to fill when it completes.
    private ManualResetValueTaskSourceCore<int> _pending;
    private Memory<byte> _pendingBuffer;
    private bool _isPending;
    private bool _ended;

    public LoopCipherStream(SslStreamServer server, ByteBuffer wire)
    {
        _server = server;
        _wire = wire;
        _loopThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>Why the ciphertext is not TLS (a record longer than TLS allows); null while it may be.</summary>
    public string? Broken { get; private set; }

    /// <summary>SslStream waits for ciphertext: it has none it could work on.</summary>
    public bool IsReadPending => _isPending;

    /// <summary>A whole record is here that SslStream has not finished taking: a read it starts now completes now.</summary>
    public bool HasRecord => _handingOut > 0 || TryStartRecord();

    /// <summary>Ciphertext from the socket; copied, since the loop's receive buffer is reused.</summary>
    public void Append(ReadOnlySpan<byte> cipher)
    {
        if (_ended) return;
        _cipher.Write(cipher);
    }

    /// <summary>
    /// Completes SslStream's pending read if there is now a whole record to give it (or the end):
    /// its continuation, and so SslStream's processing of that record, runs inside this call.
    /// </summary>
    public void Wake()
    {
        if (!_isPending || (!_ended && !HasRecord)) return;
        int n = _ended ? 0 : Take(_pendingBuffer.Span);
        _isPending = false;
        _pendingBuffer = default;
        // Last: the continuation may start the next read, which resets _pending (inline, on this thread).
        _pending.SetResult(n);
    }

    /// <summary>No more ciphertext, ever: a pending read ends (end of stream), later ones return 0, writes are dropped.</summary>
    public void End()
    {
        _ended = true;
        _cipher.Release();
        _handingOut = 0;
        Wake();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckThread(nameof(ReadAsync));
        if (_ended) return new ValueTask<int>(0);
        if (HasRecord) return new ValueTask<int>(buffer.IsEmpty ? 0 : Take(buffer.Span));
        if (_isPending) return ValueTask.FromException<int>(new InvalidOperationException("a second read while one is pending"));
        // SslStream first asks with an empty buffer (a zero-byte read: "tell me when there is
        // something"), so while it waits it holds no read buffer of its own.
        _pending.Reset();
        _pendingBuffer = buffer;
        _isPending = true;
        return new ValueTask<int>(this, _pending.Version);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        CheckThread(nameof(Write));
        if (!_ended) _wire.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return default;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A blocking read would stop the loop: SslStream is only ever driven through ReadAsync.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the event loop never blocks on a read");

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    int IValueTaskSource<int>.GetResult(short token)
    {
        // Called by SslStream's continuation: inline in Wake, so on the loop thread, unless it was scheduled elsewhere.
        CheckThread("GetResult");
        return _pending.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _pending.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        CheckThread("OnCompleted");
        // RunContinuationsAsynchronously stays false: SetResult in Wake runs the continuation inline.
        _pending.OnCompleted(continuation, state, token, flags);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) End();
        base.Dispose(disposing);
    }

    /// <summary>Starts handing out the next record if it is here whole.</summary>
    private bool TryStartRecord()
    {
        if (_handingOut > 0 || Broken is not null || _cipher.Length < HeaderSize) return false;
        int body = BinaryPrimitives.ReadUInt16BigEndian(_cipher.Span[3..]);
        if (body > MaxRecordBody)
        {
            Broken = $"a TLS record of {body} bytes (TLS 1.3 allows {MaxRecordBody})";
            return false;
        }
        if (_cipher.Length < HeaderSize + body) return false;
        _handingOut = HeaderSize + body;
        return true;
    }

    private int Take(Span<byte> into)
    {
        int n = Math.Min(into.Length, _handingOut);
        _cipher.Span[..n].CopyTo(into);
        _cipher.Consume(n);
        _handingOut -= n;
        if (_cipher.IsEmpty) _cipher.Release();
        return n;
    }

    /// <summary>Everything here runs on the loop thread; a call from elsewhere is a bug, counted and logged (never thrown into SslStream).</summary>
    private void CheckThread(string where)
    {
        if (Environment.CurrentManagedThreadId != _loopThread) _server.NoteOffLoop("LoopCipherStream." + where);
    }
}

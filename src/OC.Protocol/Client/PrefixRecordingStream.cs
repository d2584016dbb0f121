namespace OC.Protocol.Client;

/// <summary>
/// Passes reads and writes through and keeps a copy of the first bytes read: when a TLS
/// handshake fails, they say whether the appliance answered in plaintext instead (an ERROR frame
/// refusing the connection, or an appliance that does not speak TLS at all).
/// </summary>
internal sealed class PrefixRecordingStream(Stream inner) : Stream
{
    private const int Keep = 1024;
    private readonly byte[] _prefix = new byte[Keep];
    private int _length;

    public ReadOnlySpan<byte> Prefix => _prefix.AsSpan(0, _length);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Record(buffer.Span[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = inner.Read(buffer, offset, count);
        Record(buffer.AsSpan(offset, n));
        return n;
    }

    private void Record(ReadOnlySpan<byte> read)
    {
        int take = Math.Min(read.Length, Keep - _length);
        if (take <= 0) return;
        read[..take].CopyTo(_prefix.AsSpan(_length));
        _length += take;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}

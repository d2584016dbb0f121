using System.Security.Cryptography;

namespace OC.Appliance.Backup;

/// <summary>
/// One archive member on its way in or out: reads exactly <see cref="Length"/> bytes of its source
/// (a growing message log is read only up to its snapshot point), hashes them with SHA-256 for the
/// manifest, and counts them for the progress bar. Seekable only in name: TarWriter asks for the
/// length and position to write the size into the header, then reads it to the end.
/// </summary>
internal sealed class MemberStream(Stream source, long length, ProgressBar progress) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _read;
        set
        {
            if (value != _read) throw new NotSupportedException("an archive member is read once, from its start");
        }
    }

    /// <summary>The SHA-256 of what was read, in lowercase hex (call once, at the end).</summary>
    public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long left = length - _read;
        if (left <= 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        int n = source.Read(buffer);
        if (n == 0) throw new IOException($"the file ended after {_read} of {length} bytes (changed while it was read?)");
        _hash.AppendData(buffer[..n]);
        _read += n;
        progress.Add(n);
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) =>
        origin == SeekOrigin.Begin && offset == _read ? _read : throw new NotSupportedException("an archive member is read once, from its start");

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            source.Dispose();
        }
        base.Dispose(disposing);
    }
}

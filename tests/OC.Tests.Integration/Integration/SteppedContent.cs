using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OC.Tests.Integration;

/// <summary>
/// A file to upload whose pace the test sets: <paramref name="length"/> bytes, read-only and
/// seekable, made up as they are read (64 KiB of random bytes per instance, each 64 KiB block
/// stamped with its index, so a block out of place changes the hash). The content stops at
/// <paramref name="checkpoints"/> evenly spaced offsets: a read that gets to checkpoint k
/// completes <see cref="ReachedAsync"/>(k) and waits for <see cref="Release"/>(k).
/// </summary>
internal sealed class SteppedContent(long length, int checkpoints) : Stream
{
    private const int BlockSize = 64 * 1024;

    private readonly byte[] _pattern = RandomNumberGenerator.GetBytes(BlockSize);
    private readonly byte[] _block = new byte[BlockSize];
    private readonly long[] _offsets = [.. Enumerable.Range(1, checkpoints).Select(k => length * k / (checkpoints + 1))];
    private readonly TaskCompletionSource[] _reached = NewSignals(checkpoints);
    private readonly TaskCompletionSource[] _released = NewSignals(checkpoints);
    private long _blockIndex = -1;
    private long _position;

    /// <summary>The SHA-256 of all <see cref="Length"/> bytes.</summary>
    public byte[] Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long at = 0; at < length; at += BlockSize)
        {
            hash.AppendData(Block(at / BlockSize), 0, (int)Math.Min(BlockSize, length - at));
        }
        return hash.GetHashAndReset();
    }

    /// <summary>Completes once a read has got to checkpoint <paramref name="checkpoint"/> (everything before it was read).</summary>
    public Task ReachedAsync(int checkpoint) => _reached[checkpoint].Task;

    public void Release(int checkpoint) => _released[checkpoint].TrySetResult();

    /// <summary>Lets every read through (a failed test must not leave the upload waiting).</summary>
    public void ReleaseAll()
    {
        foreach (var released in _released) released.TrySetResult();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.IsEmpty) return 0;
        long end = Math.Min(_position + buffer.Length, length);
        for (int k = 0; k < _offsets.Length; k++)
        {
            if (_position < _offsets[k])
            {
                end = Math.Min(end, _offsets[k]);
                break;
            }
            if (_position == _offsets[k] && !_released[k].Task.IsCompleted)
            {
                _reached[k].TrySetResult();
                await _released[k].Task.WaitAsync(cancellationToken);
            }
        }

        int count = (int)(end - _position);
        for (int done = 0; done < count;)
        {
            long at = _position + done;
            int inBlock = (int)(at % BlockSize);
            int n = Math.Min(BlockSize - inBlock, count - done);
            Block(at / BlockSize).AsSpan(inBlock, n).CopyTo(buffer.Span[done..]);
            done += n;
        }
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, length);
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private byte[] Block(long index)
    {
        if (index != _blockIndex)
        {
            _pattern.CopyTo(_block, 0);
            BinaryPrimitives.WriteInt64LittleEndian(_block, index);
            _blockIndex = index;
        }
        return _block;
    }

    private static TaskCompletionSource[] NewSignals(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
}

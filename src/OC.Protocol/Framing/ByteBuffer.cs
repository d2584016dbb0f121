using System.Buffers;

namespace OC.Protocol.Framing;

/// <summary>
/// A growable byte queue on pooled arrays: written at the end (as an <see cref="IBufferWriter{T}"/>),
/// consumed from the front. Used for a connection's pending output and for the leftover of a
/// partly received frame. It holds no array while empty after <see cref="Release"/>, so an idle
/// connection costs no buffer memory (the 4 KiB-per-idle-connection budget depends on that).
/// </summary>
public sealed class ByteBuffer : IBufferWriter<byte>
{
    private const int MinimumCapacity = 512;

    private byte[] _array = [];
    private int _start;
    private int _end;

    public int Length => _end - _start;
    public bool IsEmpty => _end == _start;
    public int Capacity => _array.Length;

    public ReadOnlySpan<byte> Span => _array.AsSpan(_start, _end - _start);
    public ReadOnlyMemory<byte> Memory => _array.AsMemory(_start, _end - _start);

    /// <summary>Writable view of bytes already written, for patching a header after its payload.</summary>
    internal Span<byte> WrittenSpan(int offsetFromStart, int length) => _array.AsSpan(_start + offsetFromStart, length);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_end + count > _array.Length) throw new InvalidOperationException("Advanced past the buffer.");
        _end += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_end);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_end);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _end += bytes.Length;
    }

    /// <summary>Drops <paramref name="count"/> bytes from the front.</summary>
    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > Length) throw new InvalidOperationException("Consumed more than the buffer holds.");
        _start += count;
        if (_start == _end) _start = _end = 0;
    }

    /// <summary>Empties the buffer and gives its array back to the pool.</summary>
    public void Release()
    {
        Return(_array);
        _array = [];
        _start = _end = 0;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_array.Length - _end >= sizeHint) return;

        int length = Length;
        // Compact first when that alone makes room: the front was consumed already.
        if (_start > 0 && _array.Length - length >= sizeHint)
        {
            _array.AsSpan(_start, length).CopyTo(_array);
            _start = 0;
            _end = length;
            return;
        }

        int wanted = Math.Max(MinimumCapacity, Math.Max(length + sizeHint, _array.Length * 2));
        var bigger = wanted >= LargeArrays.Threshold ? LargeArrays.Rent(wanted) : ArrayPool<byte>.Shared.Rent(wanted);
        _array.AsSpan(_start, length).CopyTo(bigger);
        Return(_array);
        _array = bigger;
        _start = 0;
        _end = length;
    }

    /// <summary>Large arrays go back to <see cref="LargeArrays"/>, which lets them go when unused; small ones to ArrayPool.Shared.</summary>
    private static void Return(byte[] array)
    {
        if (array.Length >= LargeArrays.Threshold) LargeArrays.Return(array);
        else if (array.Length > 0) ArrayPool<byte>.Shared.Return(array);
    }
}

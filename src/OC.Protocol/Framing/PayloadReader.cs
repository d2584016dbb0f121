using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace OC.Protocol.Framing;

/// <summary>
/// Reads payload fields in order without throwing: a read past the end, an over-long string or
/// invalid UTF-8 sets <see cref="Ok"/> to false and every later read returns a default. A message
/// reader checks <see cref="Done"/> once at the end, which also rejects trailing bytes.
/// </summary>
public ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _payload;
    private int _position;
    private bool _ok;

    public PayloadReader(ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        _position = 0;
        _ok = true;
    }

    public readonly bool Ok => _ok;
    public readonly bool AtEnd => _position == _payload.Length;
    /// <summary>Every read succeeded and the payload was consumed exactly.</summary>
    public readonly bool Done => _ok && AtEnd;
    public readonly int Remaining => _payload.Length - _position;

    public byte ReadU8() => Take(1) is { Length: 1 } s ? s[0] : (byte)0;
    public ushort ReadU16() => Take(2) is { Length: 2 } s ? BinaryPrimitives.ReadUInt16BigEndian(s) : (ushort)0;
    public uint ReadU32() => Take(4) is { Length: 4 } s ? BinaryPrimitives.ReadUInt32BigEndian(s) : 0u;
    public ulong ReadU64() => Take(8) is { Length: 8 } s ? BinaryPrimitives.ReadUInt64BigEndian(s) : 0ul;
    public long ReadI64() => (long)ReadU64();

    /// <summary>A string of at most <paramref name="maxBytes"/> bytes of valid UTF-8.</summary>
    public string ReadString(int maxBytes)
    {
        var bytes = ReadBytes(maxBytes);
        if (!_ok) return string.Empty;
        if (!Utf8.IsValid(bytes))
        {
            _ok = false;
            return string.Empty;
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A counted byte field of at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int maxLength)
    {
        int length = ReadU16();
        if (!_ok) return default;
        if (length > maxLength)
        {
            _ok = false;
            return default;
        }
        return Take(length);
    }

    /// <summary>
    /// The room to reserve for a list whose count field says <paramref name="count"/>: no more
    /// entries of at least <paramref name="minEntryBytes"/> bytes than the rest of the payload can
    /// hold. A count is only the sender's word; sized by it alone, a 3-byte payload made a reader
    /// reserve room for 1,000 entries (found by fuzzing, docs/fuzzing.md).
    /// </summary>
    public readonly int Capacity(int count, int minEntryBytes) => Math.Min(count, Remaining / minEntryBytes);

    /// <summary>The rest of the payload (a trailing blob).</summary>
    public ReadOnlySpan<byte> ReadRest() => Take(Remaining);

    private ReadOnlySpan<byte> Take(int count)
    {
        if (!_ok || count > _payload.Length - _position)
        {
            _ok = false;
            return default;
        }
        var slice = _payload.Slice(_position, count);
        _position += count;
        return slice;
    }
}

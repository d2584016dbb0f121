using System.Buffers.Binary;
using System.Text;

namespace OC.Protocol.Framing;

/// <summary>
/// Writes one frame into a <see cref="ByteBuffer"/>: <see cref="Begin"/> reserves the header,
/// the Write* calls append payload fields (docs/protocol.md, "Field encodings"), <see cref="End"/>
/// fills in the length. Nothing here allocates.
/// </summary>
public ref struct FrameWriter
{
    private readonly ByteBuffer _buffer;
    private readonly int _frameStart;

    private FrameWriter(ByteBuffer buffer, int frameStart)
    {
        _buffer = buffer;
        _frameStart = frameStart;
    }

    public static FrameWriter Begin(ByteBuffer buffer, FrameType type, uint requestId)
    {
        int start = buffer.Length;
        var header = buffer.GetSpan(Frame.HeaderSize);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(header[6..], requestId);
        buffer.Advance(Frame.HeaderSize);
        return new FrameWriter(buffer, start);
    }

    public readonly void WriteU8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public readonly void WriteU16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
    }

    public readonly void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public readonly void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public readonly void WriteI64(long value) => WriteU64((ulong)value);

    /// <summary>string: uint16 BE byte count, then that many bytes of UTF-8.</summary>
    public readonly void WriteString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        if (count > ushort.MaxValue) throw new ArgumentException("String longer than 65535 bytes of UTF-8.", nameof(value));
        var span = _buffer.GetSpan(2 + count);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)count);
        Encoding.UTF8.GetBytes(value, span[2..]);
        _buffer.Advance(2 + count);
    }

    /// <summary>bytes: uint16 BE count, then the bytes.</summary>
    public readonly void WriteBytes(ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue) throw new ArgumentException("Byte field longer than 65535.", nameof(value));
        WriteU16((ushort)value.Length);
        _buffer.Write(value);
    }

    /// <summary>A trailing blob: the rest of the payload, without a count.</summary>
    public readonly void WriteRaw(ReadOnlySpan<byte> value) => _buffer.Write(value);

    /// <summary>Fills in the length field. The frame is in the buffer only after this.</summary>
    public readonly void End()
    {
        int frameLength = _buffer.Length - _frameStart;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.WrittenSpan(_frameStart, 4), frameLength - Frame.LengthFieldSize);
    }
}

using System.Buffers.Binary;
using System.Numerics;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// One message in the log file, little-endian:
/// <code>
/// offset size field
///      0    4 length   whole record in bytes (50 + text length)
///      4    4 crc      CRC-32C of bytes 8..length
///      8    8 seq
///     16    8 time     Unix milliseconds
///     24    4 from
///     28    4 to       low 24 bits: the recipient (1:1) or the room; high 8 bits: the kind
///                        (0: a 1:1 message; 1 + RoomMessageKind: a room's entry, <see cref="RoomRecords"/>)
///     32   16 message id (the client's)
///     48    2 text length
///     50    n text (UTF-8)
/// </code>
/// A torn write at the end of the file (power cut mid-append) fails the length or CRC check and is
/// cut off when the log is opened; nothing that was acknowledged can be in it, since SENT goes out
/// only after the fsync that follows the write.
/// </summary>
internal readonly ref struct MessageRecord
{
    public const int HeaderSize = 50;
    public const int MaxTextBytes = OC.Protocol.ProtocolLimits.MaxMessageTextBytes;
    public const int MaxSize = HeaderSize + MaxTextBytes;

    public MessageRecord(ulong seq, long timeMs, int from, int to, ReadOnlySpan<byte> id, ReadOnlySpan<byte> text)
    {
        Seq = seq;
        TimeMs = timeMs;
        From = from;
        To = to;
        Id = id;
        Text = text;
    }

    public ulong Seq { get; }
    public long TimeMs { get; }
    public int From { get; }
    public int To { get; }
    public ReadOnlySpan<byte> Id { get; }
    public ReadOnlySpan<byte> Text { get; }

    public int Size => HeaderSize + Text.Length;

    /// <summary>0 for a 1:1 message; 1 + the <see cref="OC.Protocol.Messages.RoomMessageKind"/> of a room's entry.</summary>
    public byte Kind => (byte)((uint)To >> RoomRecords.TargetBits);

    /// <summary>An entry of a room's stream (a member's message, a change of membership, a file).</summary>
    public bool IsRoom => Kind != 0;

    /// <summary>The recipient of a 1:1 message, or the room of a room's entry.</summary>
    public int Target => To & RoomRecords.TargetMask;

    public static int SizeOf(int textLength) => HeaderSize + textLength;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, Size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Seq);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], TimeMs);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], From);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], To);
        Id.CopyTo(destination[32..48]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[48..], (ushort)Text.Length);
        Text.CopyTo(destination[HeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc(destination[8..Size]));
    }

    /// <summary>Parses a record at the start of <paramref name="data"/>; false for a torn or corrupt one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out MessageRecord record, out int size)
    {
        record = default;
        size = 0;
        if (data.Length < HeaderSize) return false;
        size = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (size < HeaderSize || size > MaxSize || size > data.Length) return false;
        int textLength = BinaryPrimitives.ReadUInt16LittleEndian(data[48..]);
        if (HeaderSize + textLength != size) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) != Crc(data[8..size])) return false;
        record = new MessageRecord(
            BinaryPrimitives.ReadUInt64LittleEndian(data[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(data[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(data[28..]),
            data.Slice(32, 16),
            data.Slice(HeaderSize, textLength));
        return true;
    }

    /// <summary>CRC-32C with the CPU's instruction where there is one (SSE4.2, ARMv8 CRC).</summary>
    internal static uint Crc(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        int i = 0;
        for (; i + 8 <= bytes.Length; i += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]));
        for (; i < bytes.Length; i++) crc = BitOperations.Crc32C(crc, bytes[i]);
        return ~crc;
    }
}

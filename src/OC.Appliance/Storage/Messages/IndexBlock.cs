using System.Buffers.Binary;
using System.Numerics;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// One block of a posting list in messages.index, little-endian:
/// <code>
/// offset size field
///      0    4 length        whole block in bytes
///      4    4 crc           CRC-32C of bytes 8..length
///      8    8 list key      (<see cref="ListKey"/>)
///     16    4 number        0, 1, 2, … within the list
///     20    2 entries       n, 1..64
///     22    2 pointers      p = 0 for block 0, else floor(log2 number) + 1
///     24 16·p pointers      j = 0..p-1: offset (8), first seq (8) of block ((number >> j) &lt;&lt; j) - 1
///      … 16·n entries       seq (8), offset of the record in messages.log (8), ascending seq
/// </code>
/// The pointers make a deterministic skip list backwards: pointer j of block k goes to the newest
/// block before k whose number + 1 is a multiple of 2^j, so any block of a list is found from the
/// newest in O(log blocks) reads (<see cref="MessageIndex"/>.Locate), at any depth.
/// </summary>
internal readonly ref struct IndexBlock
{
    public const int MaxEntries = 64;
    public const int HeaderSize = 24;
    public const int MaxPointers = 31;
    public const int MaxSize = HeaderSize + 16 * (MaxPointers + MaxEntries);

    private readonly ReadOnlySpan<byte> _data;

    private IndexBlock(ReadOnlySpan<byte> data) => _data = data;

    public int Number => BinaryPrimitives.ReadInt32LittleEndian(_data[16..]);
    public int EntryCount => BinaryPrimitives.ReadUInt16LittleEndian(_data[20..]);
    public int PointerCount => BinaryPrimitives.ReadUInt16LittleEndian(_data[22..]);

    public BlockPointer Pointer(int j)
    {
        var p = _data[(HeaderSize + 16 * j)..];
        return new BlockPointer(BinaryPrimitives.ReadInt64LittleEndian(p), BinaryPrimitives.ReadUInt64LittleEndian(p[8..]));
    }

    public IndexEntry Entry(int i)
    {
        var e = _data[(HeaderSize + 16 * (PointerCount + i))..];
        return new IndexEntry(BinaryPrimitives.ReadUInt64LittleEndian(e), BinaryPrimitives.ReadInt64LittleEndian(e[8..]));
    }

    /// <summary>How many pointers block <paramref name="number"/> carries.</summary>
    public static int PointersOf(int number) => number == 0 ? 0 : BitOperations.Log2((uint)number) + 1;

    /// <summary>The block pointer j of block <paramref name="number"/> goes to.</summary>
    public static int Target(int number, int j) => ((number >> j) << j) - 1;

    public static int SizeOf(int pointers, int entries) => HeaderSize + 16 * (pointers + entries);

    /// <summary>
    /// The pointers of block <paramref name="number"/>, from those of the block before it
    /// (<paramref name="previous"/>, at <paramref name="previousAt"/>): pointer j goes to that
    /// block when 2^j divides <paramref name="number"/>, else where its own pointer j went.
    /// </summary>
    public static BlockPointer[] NextPointers(int number, IndexBlock previous, BlockPointer previousAt)
    {
        var pointers = new BlockPointer[PointersOf(number)];
        for (int j = 0; j < pointers.Length; j++)
            pointers[j] = (number & ((1 << j) - 1)) == 0 ? previousAt : previous.Pointer(j);
        return pointers;
    }

    /// <summary>The same, from the pointers array of the previous block (as memory holds it).</summary>
    public static BlockPointer[] NextPointers(int number, ReadOnlySpan<BlockPointer> previous, BlockPointer previousAt)
    {
        var pointers = new BlockPointer[PointersOf(number)];
        for (int j = 0; j < pointers.Length; j++)
            pointers[j] = (number & ((1 << j) - 1)) == 0 ? previousAt : previous[j];
        return pointers;
    }

    public static int Write(Span<byte> destination, ulong key, int number, ReadOnlySpan<BlockPointer> pointers, ReadOnlySpan<IndexEntry> entries)
    {
        int size = SizeOf(pointers.Length, entries.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination, size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], key);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], number);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[20..], (ushort)entries.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[22..], (ushort)pointers.Length);
        int at = HeaderSize;
        foreach (var p in pointers)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[at..], p.Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(at + 8)..], p.FirstSeq);
            at += 16;
        }
        foreach (var e in entries)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], e.Seq);
            BinaryPrimitives.WriteInt64LittleEndian(destination[(at + 8)..], e.Offset);
            at += 16;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], MessageRecord.Crc(destination[8..size]));
        return size;
    }

    /// <summary>
    /// Parses the block at the start of <paramref name="data"/> and checks everything it can
    /// against what the caller expects of it; null when it is not exactly that block.
    /// </summary>
    public static string? TryRead(ReadOnlySpan<byte> data, ulong key, int number, ulong firstSeq, long logLength, out IndexBlock block)
    {
        block = default;
        if (data.Length < HeaderSize) return "cut short";
        int size = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (size < HeaderSize || size > data.Length) return $"bad length {size}";
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) != MessageRecord.Crc(data[8..size])) return "bad CRC";
        var b = new IndexBlock(data[..size]);
        if (BinaryPrimitives.ReadUInt64LittleEndian(data[8..]) != key || b.Number != number) return "another list's block";
        if (b.PointerCount != PointersOf(number) || b.EntryCount is 0 or > MaxEntries || SizeOf(b.PointerCount, b.EntryCount) != size) return "bad counts";
        ulong previous = 0;
        for (int i = 0; i < b.EntryCount; i++)
        {
            var e = b.Entry(i);
            if (e.Seq <= previous || e.Offset < 0 || e.Offset >= logLength) return $"entry {i} (seq {e.Seq}, offset {e.Offset}) out of order or past the log";
            previous = e.Seq;
        }
        if (b.Entry(0).Seq != firstSeq) return "first seq differs from its pointer";
        block = b;
        return null;
    }
}

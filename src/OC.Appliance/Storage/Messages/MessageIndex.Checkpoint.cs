using System.Buffers.Binary;
using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;

namespace OC.Appliance.Storage.Messages;

/// <summary>How much of the log a checkpoint of the index covers.</summary>
/// <param name="LogLength">Bytes of messages.log the index holds every message of.</param>
/// <param name="LastSeq">The seq of the last of them (0: none).</param>
/// <param name="LastRecordOffset">Where that record starts: an open checks it is still there.</param>
internal readonly record struct IndexCoverage(long LogLength, ulong LastSeq, long LastRecordOffset);

/// <summary>
/// The checkpoint, messages.index.checkpoint, little-endian, replaced whole (write, fsync, rename):
/// <code>
///  0  8 magic "OCMCKP01"
///  8  8 log length covered        16  8 last seq        24  8 last record's offset
/// 32  8 index file length         40  4 list count
/// 44  … per list: key (8), block count (4), newest block's offset (8) and first seq (8),
///       tail count (2), tail entries (16 each: seq, offset)
///     … the room spans (<see cref="RoomSpans.WriteTo"/>)
/// end 4 CRC-32C of everything before it
/// </code>
/// "OCMCKP01", the format before rooms, is read as no checkpoint: the index is built again from the log once.
/// <code>
/// </code>
/// </summary>
internal sealed partial class MessageIndex
{
    public const string CheckpointFileName = "messages.index.checkpoint";

    private static readonly byte[] CheckpointMagic = "OCMCKP02"u8.ToArray();
    private const int CheckpointHeaderSize = 44;
    private const int ListHeaderSize = 30;

    private readonly string _checkpointPath;

    /// <summary>The last seq the checkpoint on disk covers (0: none).</summary>
    public ulong CheckpointSeq { get; private set; }

    /// <summary>
    /// Loads the checkpoint and cuts the index file back to what it covers. Null (the index is
    /// then empty, to be rebuilt from the whole log) when there is none, or when it or the index
    /// file is damaged: then with a warning, since nothing but damage leaves them so.
    /// </summary>
    public IndexCoverage? Open()
    {
        _lists.Clear();
        long fileLength = RandomAccess.GetLength(_file);
        if (!File.Exists(_checkpointPath))
        {
            // Not damage: a kill before the first checkpoint, a new version, a folder restored without it.
            Reset();
            return null;
        }
        try
        {
            var coverage = Load(File.ReadAllBytes(_checkpointPath), fileLength);
            // Blocks written after the checkpoint are not covered by it: the log's tail is replayed instead.
            RandomAccess.SetLength(_file, _length);
            return coverage;
        }
        catch (IndexDamagedException e)
        {
            Log.Warn("messages.index_rebuild", $"{e.Message}: rebuilding the index from the log");
            Reset();
            return null;
        }
    }

    /// <summary>Forgets everything: no checkpoint, an index file with only its magic.</summary>
    public void Reset()
    {
        _lists.Clear();
        Rooms.Clear();
        _staged.Clear();
        _queued.Clear();
        _blocks.Consume(_blocks.Length);
        _broken = false;
        CheckpointSeq = 0;
        // The checkpoint goes first: a crash in between leaves an index without one, which is rebuilt.
        if (File.Exists(_checkpointPath))
        {
            File.Delete(_checkpointPath);
            DirectorySync.Flush(_dataDirectory);
        }
        RandomAccess.SetLength(_file, 0);
        RandomAccess.Write(_file, Magic, 0);
        _length = Magic.Length;
    }

    /// <summary>
    /// Makes the index durable as far as the log is committed: fsyncs the blocks, then replaces
    /// the checkpoint (memory's lists and tails, and <paramref name="coverage"/>). Nothing may be staged.
    /// </summary>
    public void Checkpoint(IndexCoverage coverage)
    {
        if (_staged.Count > 0) throw new InvalidOperationException("checkpoint with staged entries");
        ThrowIfBroken();
        RandomAccess.FlushToDisk(_file);

        var buffer = new ByteBuffer();
        try
        {
            var header = buffer.GetSpan(CheckpointHeaderSize);
            CheckpointMagic.CopyTo(header);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], coverage.LogLength);
            BinaryPrimitives.WriteUInt64LittleEndian(header[16..], coverage.LastSeq);
            BinaryPrimitives.WriteInt64LittleEndian(header[24..], coverage.LastRecordOffset);
            BinaryPrimitives.WriteInt64LittleEndian(header[32..], _length);
            BinaryPrimitives.WriteInt32LittleEndian(header[40..], _lists.Count);
            buffer.Advance(CheckpointHeaderSize);
            foreach (var list in _lists.Values)
            {
                var tail = list.Tail;
                var span = buffer.GetSpan(ListHeaderSize + 16 * tail.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(span, list.Key);
                BinaryPrimitives.WriteInt32LittleEndian(span[8..], list.BlockCount);
                BinaryPrimitives.WriteInt64LittleEndian(span[12..], list.LastBlockOffset);
                BinaryPrimitives.WriteUInt64LittleEndian(span[20..], list.LastBlockFirstSeq);
                BinaryPrimitives.WriteUInt16LittleEndian(span[28..], (ushort)tail.Length);
                int at = ListHeaderSize;
                foreach (var e in tail)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(span[at..], e.Seq);
                    BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], e.Offset);
                    at += 16;
                }
                buffer.Advance(at);
                // An idle list need not keep its next block's pointers (they are read back when it
                // grows) nor room in its tail: memory follows what the lists hold.
                list.NextPointers = null;
                list.TrimExcess();
            }
            Rooms.WriteTo(buffer);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.GetSpan(4), MessageRecord.Crc(buffer.Span));
            buffer.Advance(4);

            string temporary = _checkpointPath + ".tmp";
            using (var file = PrivateFiles.Open(temporary, FileMode.Create, FileAccess.Write))
            {
                file.Write(buffer.Span);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, _checkpointPath, overwrite: true);
            DirectorySync.Flush(_dataDirectory);
        }
        finally
        {
            buffer.Release();
        }
        CheckpointSeq = coverage.LastSeq;
    }

    private IndexCoverage Load(byte[] data, long fileLength)
    {
        var span = data.AsSpan();
        if (span.Length < CheckpointHeaderSize + 4 || !span[..8].SequenceEqual(CheckpointMagic))
            throw new IndexDamagedException($"{_checkpointPath} is not an index checkpoint");
        if (BinaryPrimitives.ReadUInt32LittleEndian(span[^4..]) != MessageRecord.Crc(span[..^4]))
            throw new IndexDamagedException($"{_checkpointPath} has a bad CRC");
        var coverage = new IndexCoverage(
            BinaryPrimitives.ReadInt64LittleEndian(span[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[24..]));
        long indexLength = BinaryPrimitives.ReadInt64LittleEndian(span[32..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[40..]);
        if (indexLength < Magic.Length || indexLength > fileLength)
            throw new IndexDamagedException($"{_path} holds {fileLength} bytes, its checkpoint covers {indexLength}: the file was cut short");
        var magic = new byte[Magic.Length];
        if (RandomAccess.Read(_file, magic, 0) != Magic.Length || !magic.AsSpan().SequenceEqual(Magic))
            throw new IndexDamagedException($"{_path} is not a message index of this version");

        int at = CheckpointHeaderSize;
        for (int i = 0; i < count; i++)
        {
            if (at + ListHeaderSize > span.Length - 4) throw new IndexDamagedException($"{_checkpointPath} is cut short");
            var list = new PostingList(BinaryPrimitives.ReadUInt64LittleEndian(span[at..]))
            {
                BlockCount = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 8)..]),
                LastBlockOffset = BinaryPrimitives.ReadInt64LittleEndian(span[(at + 12)..]),
                LastBlockFirstSeq = BinaryPrimitives.ReadUInt64LittleEndian(span[(at + 20)..]),
            };
            int tail = BinaryPrimitives.ReadUInt16LittleEndian(span[(at + 28)..]);
            at += ListHeaderSize;
            if (at + 16 * tail > span.Length - 4) throw new IndexDamagedException($"{_checkpointPath} is cut short");
            if (list.BlockCount < 0 || list.BlockCount > 0 && (list.LastBlockOffset < Magic.Length || list.LastBlockOffset >= indexLength))
                throw new IndexDamagedException($"{_checkpointPath}: list {list.Key:x} points outside the index");
            for (int t = 0; t < tail; t++, at += 16)
            {
                var entry = new IndexEntry(BinaryPrimitives.ReadUInt64LittleEndian(span[at..]), BinaryPrimitives.ReadInt64LittleEndian(span[(at + 8)..]));
                if (entry.Seq > coverage.LastSeq || entry.Offset < 0 || entry.Offset >= coverage.LogLength)
                    throw new IndexDamagedException($"{_checkpointPath}: list {list.Key:x} points past the log it covers");
                list.Add(entry);
            }
            _lists[list.Key] = list;
        }
        if (Rooms.ReadFrom(span[..^4], ref at, coverage.LastSeq) is { } problem) throw new IndexDamagedException($"{_checkpointPath}: {problem}");
        if (at != span.Length - 4) throw new IndexDamagedException($"{_checkpointPath} has {span.Length - 4 - at} bytes too many");
        _length = indexLength;
        CheckpointSeq = coverage.LastSeq;
        return coverage;
    }
}

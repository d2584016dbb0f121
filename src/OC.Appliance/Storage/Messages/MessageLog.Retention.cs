using System.Buffers.Binary;
using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage.Messages;

/// <summary>Where the retained part of a log starts (messages.retention; see <see cref="MessageLog"/>, "Retention").</summary>
/// <param name="FirstSeq">The first message kept: every seq before it is expired (1: none is).</param>
/// <param name="Offset">Where that message starts in messages.log (the log's length when every message expired).</param>
/// <param name="ErasedTo">The log before this offset is erased already; [ErasedTo, Offset) may still have to be.</param>
/// <param name="CutoffMs">The cutoff of the run that wrote it (Unix ms): for people reading the file, not used.</param>
internal readonly record struct RetentionPoint(ulong FirstSeq, long Offset, long ErasedTo, long CutoffMs)
{
    /// <summary>Nothing expired: the whole log after its magic is kept.</summary>
    public static RetentionPoint None => new(1, MessageLog.MagicLength, MessageLog.MagicLength, 0);
}

/// <summary>What one step of <see cref="MessageLog.Expire"/> did.</summary>
/// <param name="Dropped">Messages expired by this step.</param>
/// <param name="Bytes">Bytes of the log they took (erased).</param>
/// <param name="CaughtUp">Nothing older than the cutoff is left; false: the step hit its bound, run another.</param>
/// <param name="OldestKeptMs">The time of the first message kept (null: none is).</param>
internal readonly record struct ExpireStep(long Dropped, long Bytes, bool CaughtUp, long? OldestKeptMs, bool Punched);

/// <summary>
/// Retention (<c>--retention</c>): messages older than a cutoff are dropped from the front of the
/// log. The log stays append-only and keeps its offsets: the expired prefix is erased in place (a
/// hole punched, <see cref="HolePunch"/>), and messages.retention says where the kept part starts
/// (first seq and its offset). That file is written (tmp, fsync, rename, fsync the folder) before
/// anything is erased, so after a crash it never points after bytes that are still needed nor
/// before bytes that are gone. Every read starts there: SYNC after an older seq begins at the
/// first kept one, HISTORY stops before it (more = 0), the resend window's reload, the open's
/// replay and an index rebuild never look further back. The index keeps the (seq, offset) entries
/// of expired messages (no content); reads drop them by seq.
/// </summary>
/// <remarks>
/// Layout of messages.retention, little-endian: magic "OCMRET01" (8), first seq (8), its offset
/// (8), erased up to (8), cutoff Unix ms (8), the room spans as the expired entries left them
/// (<see cref="RoomSpans.WriteTo"/>), CRC-32C of everything before it (4). The spans: who was in
/// which room at the first kept seq, since the Joined entries that said so may be erased; an
/// index built from the kept part starts from them.
/// </remarks>
internal sealed partial class MessageLog
{
    public const string RetentionFileName = "messages.retention";

    internal const int MagicLength = 8;

    /// <summary>Messages one <see cref="Expire"/> step looks at, at most: a step between groups never holds messages back long.</summary>
    internal const int ExpireBatch = 8192;

    private const int RetentionHeaderSize = 40;
    private static ReadOnlySpan<byte> RetentionMagic => "OCMRET01"u8;

    private RetentionPoint _retention = RetentionPoint.None;

    // Who was in which room at the first kept seq (the expired entries applied, in order).
    private readonly RoomSpans _retainedRooms = new();

    /// <summary>The first message still kept (1 when none expired): reads never return an older one.</summary>
    public ulong FirstRetainedSeq => _retention.FirstSeq;

    /// <summary>Members' messages in rooms not expired (the spans count every one ever committed, the kept spans the expired ones).</summary>
    public long RoomTextsKept => Rooms.TextEntries - _retainedRooms.TextEntries;

    /// <summary>
    /// Drops the messages from the first kept one on while they are older than
    /// <paramref name="cutoffMs"/>, at most <paramref name="maxMessages"/> of them: it stops at the
    /// first message at or after the cutoff. Times are one clock read per group, so nearly but not
    /// strictly rising with the seq: a message stamped earlier than one before it is kept until
    /// the ones before it expire (kept a little longer, never dropped early). Between groups only.
    /// </summary>
    public ExpireStep Expire(long cutoffMs, int maxMessages = ExpireBatch)
    {
        if (HasStaged) throw new InvalidOperationException("retention runs between groups only");
        var old = _retention;
        long offset = old.Offset;
        ulong seq = old.FirstSeq;
        long dropped = 0;
        long? oldestKept = null;
        var buffer = new byte[256 * 1024];
        int filled = 0, used = 0;
        try
        {
            while (offset < _committedLength && dropped < maxMessages)
            {
                if (!MessageRecord.TryRead(buffer.AsSpan(used, filled - used), out var record, out int size))
                {
                    // Read on from this record (the buffer ended inside it).
                    filled = RandomAccess.Read(_file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, _committedLength - offset)), offset);
                    used = 0;
                    if (!MessageRecord.TryRead(buffer.AsSpan(0, filled), out record, out size))
                        throw new InvalidDataException($"{_path}: no whole record at offset {offset} (seq {seq}), where retention expected one");
                }
                if (record.Seq != seq) throw new InvalidDataException($"{_path}: the record at offset {offset} is seq {record.Seq}, retention expected {seq}");
                if (record.TimeMs >= cutoffMs)
                {
                    oldestKept = record.TimeMs;
                    break;
                }
                _retainedRooms.Apply(record);
                offset += size;
                used += size;
                seq++;
                dropped++;
            }
        }
        catch
        {
            _retainedRooms.Rollback();
            throw;
        }
        bool caughtUp = oldestKept is not null || offset == _committedLength;
        if (dropped == 0) return new ExpireStep(0, 0, caughtUp, oldestKept, Punched: true);

        // First durably where the kept part starts, then erase: a crash in between leaves a range
        // the next open erases (ErasedTo), never a point into erased bytes.
        var point = new RetentionPoint(seq, offset, old.ErasedTo, cutoffMs);
        _retainedRooms.Commit();
        try
        {
            WriteRetention(point);
        }
        catch
        {
            // The file still holds the previous point: so must memory.
            LoadRetainedRooms(ReadRetentionFile(Path.GetDirectoryName(_path)!)?.Rooms ?? [], old.FirstSeq);
            throw;
        }
        _retention = point;
        bool punched = EraseExpired();
        return new ExpireStep(dropped, offset - old.Offset, caughtUp, oldestKept, punched);
    }

    /// <summary>Reads messages.retention of a data folder (null: there is none); throws when it is damaged. For the open and the backup's scan.</summary>
    internal static RetentionPoint? ReadRetention(string dataDirectory) => ReadRetentionFile(dataDirectory)?.Point;

    /// <summary>The point and the room spans' bytes of messages.retention (null: there is none); throws when it is damaged.</summary>
    internal static (RetentionPoint Point, byte[] Rooms)? ReadRetentionFile(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, RetentionFileName);
        if (!File.Exists(path)) return null;
        var data = File.ReadAllBytes(path);
        if (data.Length < RetentionHeaderSize + 4 || !data.AsSpan(0, 8).SequenceEqual(RetentionMagic)
            || BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4)) != MessageRecord.Crc(data.AsSpan(0, data.Length - 4)))
            throw new InvalidDataException($"{path} is damaged: it says where the kept messages start; restore the data folder from a backup");
        var point = new RetentionPoint(
            BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(8)),
            BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(16)),
            BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(24)),
            BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(32)));
        if (point.FirstSeq == 0 || point.Offset < MagicLength || point.ErasedTo < MagicLength || point.ErasedTo > point.Offset)
            throw new InvalidDataException($"{path} is damaged (first seq {point.FirstSeq} at offset {point.Offset}, erased to {point.ErasedTo})");
        return (point, data[RetentionHeaderSize..^4]);
    }

    /// <summary>The bytes of messages.retention: the point and the room spans' bytes (the backup writes one for its archive).</summary>
    internal static byte[] EncodeRetention(RetentionPoint point, ReadOnlySpan<byte> rooms)
    {
        var data = new byte[RetentionHeaderSize + rooms.Length + 4];
        RetentionMagic.CopyTo(data);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), point.FirstSeq);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(16), point.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(24), point.ErasedTo);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(32), point.CutoffMs);
        rooms.CopyTo(data.AsSpan(RetentionHeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(data.Length - 4), MessageRecord.Crc(data.AsSpan(0, data.Length - 4)));
        return data;
    }

    /// <summary>
    /// At open, before the log is read: where the kept part starts, checked against the log, and
    /// the erasing an interrupted step left undone finished. A new log forgets an old file (a log
    /// moved aside).
    /// </summary>
    private void OpenRetention(bool newLog)
    {
        string directory = Path.GetDirectoryName(_path)!;
        if (newLog)
        {
            string path = Path.Combine(directory, RetentionFileName);
            if (File.Exists(path))
            {
                Log.Warn("messages.retention", $"{path} belongs to a log that is gone: removed");
                File.Delete(path);
                DirectorySync.Flush(directory);
            }
            return;
        }
        if (ReadRetentionFile(directory) is not var (point, rooms)) return;
        LoadRetainedRooms(rooms, point.FirstSeq);
        long length = RandomAccess.GetLength(_file);
        if (point.Offset > length)
            throw new InvalidDataException($"{Path.Combine(directory, RetentionFileName)} says the kept messages start at offset {point.Offset}, but {_path} has only {length} bytes; restore the data folder from a backup");
        // The kept part's first record must be that seq; a torn one is the tail, which the open cuts.
        int n = RandomAccess.Read(_file, _readBuffer, point.Offset);
        if (MessageRecord.TryRead(_readBuffer.AsSpan(0, n), out var first, out _) && first.Seq != point.FirstSeq)
            throw new InvalidDataException($"{_path}: the record at offset {point.Offset} is seq {first.Seq}, {RetentionFileName} says {point.FirstSeq}; restore the data folder from a backup");
        _retention = point;
        EraseExpired();
    }

    /// <summary>Where the open's replay or an index rebuild starts: the first kept record, with the seq before it as the last one read.</summary>
    private long RetainedStart()
    {
        _committedSeq = _retention.FirstSeq - 1;
        _lastRecordOffset = 0;
        return _retention.Offset;
    }

    /// <summary>
    /// The scan of the index starts at the kept part (an open without a usable checkpoint, an
    /// index rebuild): the rooms' spans start as the expired entries left them, not empty.
    /// </summary>
    private void SeedRooms()
    {
        var buffer = new OC.Protocol.Framing.ByteBuffer();
        try
        {
            _retainedRooms.WriteTo(buffer);
            int at = 0;
            if (Rooms.ReadFrom(buffer.Span, ref at, _retention.FirstSeq - 1) is { } problem)
                throw new InvalidDataException($"{_path}: the rooms kept in {RetentionFileName}: {problem}");
        }
        finally
        {
            buffer.Release();
        }
    }

    private void LoadRetainedRooms(byte[] rooms, ulong firstSeq)
    {
        if (rooms.Length == 0)
        {
            _retainedRooms.Clear();
            return;
        }
        int at = 0;
        string? problem = _retainedRooms.ReadFrom(rooms, ref at, firstSeq - 1) ?? (at != rooms.Length ? "bytes left over" : null);
        if (problem is not null)
            throw new InvalidDataException($"{Path.Combine(Path.GetDirectoryName(_path)!, RetentionFileName)} is damaged (its rooms: {problem}); restore the data folder from a backup");
    }

    /// <summary>A checkpoint that covers expired messages only (taken before a retention step): valid, the replay starts at the kept part.</summary>
    private bool CoversOnlyExpired(IndexCoverage coverage) =>
        coverage.LogLength >= MagicLength && coverage.LogLength <= _retention.Offset && coverage.LastSeq < _retention.FirstSeq;

    /// <summary>The newest-first entries that are kept: the expired ones are at the end.</summary>
    private int Retained(Span<IndexEntry> newestFirst, int count)
    {
        while (count > 0 && newestFirst[count - 1].Seq < _retention.FirstSeq) count--;
        return count;
    }

    private bool EraseExpired()
    {
        var point = _retention;
        if (point.ErasedTo >= point.Offset) return true;
        bool punched;
        try
        {
            punched = HolePunch.Erase(_file, point.ErasedTo, point.Offset, flushToDisk: true);
        }
        catch (IOException e)
        {
            // Hidden already; the next open erases the range.
            Log.Warn("messages.retention", $"{_path}: erasing expired messages failed: {e.Message}; they are hidden and erased at the next start");
            return false;
        }
        _retention = point with { ErasedTo = point.Offset };
        return punched;
    }

    private void WriteRetention(RetentionPoint point)
    {
        string directory = Path.GetDirectoryName(_path)!;
        string path = Path.Combine(directory, RetentionFileName);
        string temporary = path + ".tmp";
        var rooms = new OC.Protocol.Framing.ByteBuffer();
        byte[] data;
        try
        {
            _retainedRooms.WriteTo(rooms);
            data = EncodeRetention(point, rooms.Span);
        }
        finally
        {
            rooms.Release();
        }
        using (var file = PrivateFiles.Open(temporary, FileMode.Create, FileAccess.Write))
        {
            file.Write(data);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        DirectorySync.Flush(directory);
    }
}

using Microsoft.Win32.SafeHandles;
using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// All 1:1 messages in one append-only file (messages.log in the data folder), found through an
/// index on disk beside it (<see cref="MessageIndex"/>: messages.index and its checkpoint). One
/// document per message in LiteDB tops out near 87,000 inserts a second on the target hardware; a
/// log written once per group and fsynced once per group does not. Used by one thread only
/// (<see cref="MessageWorker"/>).
/// </summary>
/// <remarks>
/// Appends are staged: they get their seq and index entries at once (so a SYNC or HISTORY later in
/// the same group sees them), and reach the file in <see cref="Commit"/>: one write, one fsync. If
/// the commit fails, the file is cut back and the staged entries are taken out again. The log is
/// the source of truth: the index may lag it (an open replays the log after the index's
/// checkpoint) and is rebuilt from it when found damaged.
/// </remarks>
internal sealed partial class MessageLog : IDisposable
{
    public const string FileName = "messages.log";

    /// <summary>
    /// A checkpoint of the index after this many messages, so an open after a kill replays at most
    /// about as many: a quarter of a second at the ~520,000 messages a second a whole-log build
    /// reads here (docs/performance.md, "Scale").
    /// </summary>
    public const int CheckpointEveryMessages = 131_072;

    // "OCMSGLG1": the format of this file; a future format gets a new magic. Internal for the
    // backup's scan of a stopped appliance's log (Backup/LogScan), which must agree on it.
    internal static ReadOnlySpan<byte> Magic => "OCMSGLG1"u8;

    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly MessageIndex _index;
    private readonly RecentIdCache _recent = new();
    private readonly List<(int From, ulong Low, ulong High)> _stagedIds = [];
    private readonly ByteBuffer _staged = new();
    private readonly byte[] _readBuffer = new byte[MessageRecord.MaxSize];
    private readonly IndexEntry[] _entries = new IndexEntry[256];
    private readonly IndexEntry[] _page = new IndexEntry[OC.Protocol.ProtocolLimits.MaxHistoryPage + 1];
    private long _committedLength;
    private ulong _committedSeq;
    private long _lastRecordOffset;
    private long _stagedLastOffset;
    private ulong _nextSeq;

    // Set when a rollback could not cut a partial write off: the next commit does, so no stale
    // records of a failed group can follow the good ones (the next open would take them for damage).
    private bool _staleTail;

    public MessageLog(string dataDirectory)
    {
        _path = Path.Combine(dataDirectory, FileName);
        bool created = !File.Exists(_path);
        _file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            // OpenHandle takes no create mode: 0600 now (and for a log an older version left 0644).
            PrivateFiles.Restrict(_file);
            _index = new MessageIndex(dataDirectory);
            if (created || RandomAccess.GetLength(_file) == 0)
            {
                RandomAccess.Write(_file, Magic, 0);
                RandomAccess.FlushToDisk(_file);
                DirectorySync.Flush(dataDirectory);
                _committedLength = Magic.Length;
                _index.Reset();
                OpenRetention(newLog: true);
            }
            else
            {
                OpenRetention(newLog: false);
                Load();
            }
        }
        catch
        {
            _index?.Dispose();
            _file.Dispose();
            throw;
        }
        _index.LogLength = _committedLength;
        _nextSeq = _committedSeq + 1;
    }

    /// <summary>Messages stored and flushed and not expired (seqs run 1, 2, 3, … without gaps; retention drops the oldest).</summary>
    public long Count => (long)(_committedSeq + 1 - _retention.FirstSeq);

    public long FileBytes => _committedLength;

    public ulong LastSeq => _committedSeq;

    public bool HasStaged => !_staged.IsEmpty;

    /// <summary>The time stamped on the messages of the current group, read once per group by the worker.</summary>
    public long GroupTimeMs { get; set; }

    /// <summary>Enough messages since the index's last checkpoint that the next should be now.</summary>
    public bool CheckpointDue => _committedSeq - _index.CheckpointSeq >= CheckpointEveryMessages;

    /// <summary>Messages the index's checkpoint does not cover yet (an open would replay them).</summary>
    public bool HasUncheckpointed => _committedSeq != _index.CheckpointSeq;

    /// <summary>Posting lists the index knows, and resend windows held in memory (for tests and the status).</summary>
    internal int IndexLists => _index.ListCount;

    internal int SendersInMemory => _recent.Count;

    /// <summary>
    /// Stages a message. A message id this sender used for one of their last
    /// <see cref="RecentIds.Capacity"/> messages returns the stored one instead.
    /// </summary>
    public AppendResult Append(int from, int to, ReadOnlySpan<byte> id, ReadOnlySpan<byte> text, long timeMs)
    {
        var (low, high) = RecentIds.Key(id);
        var recent = RecentFor(from);
        if (recent.TryGet(low, high, out ulong earlierSeq, out long earlierTime)) return new AppendResult(earlierSeq, earlierTime, Duplicate: true);

        ulong seq = Stage(new MessageRecord(_nextSeq, timeMs, from, to, id, text));
        recent.Add(low, high, seq, timeMs);
        _stagedIds.Add((from, low, high));
        return new AppendResult(seq, timeMs, Duplicate: false);
    }

    /// <summary>Who may read which room, at the end of what is staged (<see cref="RoomSpans"/>).</summary>
    public RoomSpans Rooms => _index.Rooms;

    /// <summary>
    /// Stages a member's message to a room, refused (null) when <paramref name="from"/> is not a
    /// member at this point of the log. Shares the sender's resend window with their 1:1 messages.
    /// </summary>
    public AppendResult? AppendToRoom(int from, int roomId, ReadOnlySpan<byte> id, ReadOnlySpan<byte> text, long timeMs)
    {
        if (!Rooms.IsMember(roomId, from)) return null;
        return Append(from, RoomRecords.To(RoomMessageKind.Text, roomId), id, text, timeMs);
    }

    /// <summary>
    /// Stages an entry of a room's stream that is not a member's message: a change of membership
    /// (the subject and their nickname) or a file (its id and name). The spans follow at once.
    /// </summary>
    public AppendResult AppendRoomEntry(RoomMessageKind kind, int roomId, int actor, int subject, ulong fileId, ReadOnlySpan<byte> text, long timeMs)
    {
        if (kind == RoomMessageKind.Text) throw new ArgumentException("a member's message goes through AppendToRoom", nameof(kind));
        Span<byte> id = stackalloc byte[16];
        if (kind == RoomMessageKind.File) RoomRecords.FileId(fileId, id);
        else RoomRecords.ChangeId(subject, id);
        ulong seq = Stage(new MessageRecord(_nextSeq, timeMs, actor, RoomRecords.To(kind, roomId), id, text));
        return new AppendResult(seq, timeMs, Duplicate: false);
    }

    /// <summary>Writes the record into the staged group and the index; returns its seq.</summary>
    private ulong Stage(in MessageRecord record)
    {
        _nextSeq++;
        long offset = _committedLength + _staged.Length;
        record.WriteTo(_staged.GetSpan(record.Size));
        _staged.Advance(record.Size);
        _stagedLastOffset = offset;
        _index.Add(record, offset);
        return record.Seq;
    }

    /// <summary>Writes the staged records and makes them durable (one write, one fsync).</summary>
    public void Commit(bool flushToDisk)
    {
        if (_staged.IsEmpty) return;
        try
        {
            RandomAccess.Write(_file, _staged.Span, _committedLength);
            if (_staleTail)
            {
                RandomAccess.SetLength(_file, _committedLength + _staged.Length);
                _staleTail = false;
            }
            if (flushToDisk) RandomAccess.FlushToDisk(_file);
        }
        catch
        {
            Rollback();
            throw;
        }
        _committedLength += _staged.Length;
        _committedSeq = _nextSeq - 1;
        _lastRecordOffset = _stagedLastOffset;
        _index.LogLength = _committedLength;
        _index.CommitStaged();
        _stagedIds.Clear();
        _recent.Trim();
        _staged.Consume(_staged.Length);
        if (_staged.Capacity > 4 * 1024 * 1024) _staged.Release();
    }

    /// <summary>Takes staged records back out (a failed commit): the file and indexes are as before.</summary>
    public void Rollback()
    {
        try
        {
            RandomAccess.SetLength(_file, _committedLength);
        }
        catch (IOException e)
        {
            // The next commit overwrites from _committedLength and then cuts what is left.
            _staleTail = true;
            Log.Warn("messages.rollback", $"could not cut the log back: {e.Message}");
        }
        _index.RollbackStaged();
        for (int i = _stagedIds.Count - 1; i >= 0; i--)
        {
            var (from, low, high) = _stagedIds[i];
            _recent.Get(from)?.RemoveNewest(low, high);
        }
        _stagedIds.Clear();
        _recent.Trim();
        _staged.Consume(_staged.Length);
        _nextSeq = _committedSeq + 1;
    }

    /// <summary>
    /// Drops every resend window (between groups, an idle appliance): each is read back from its
    /// sender's list at their next message (<see cref="RecentFor"/>). Returns how many ids went.
    /// </summary>
    public long ForgetResendWindows()
    {
        if (HasStaged) throw new InvalidOperationException("resend windows dropped with staged messages");
        long ids = _recent.Ids;
        _recent.Clear();
        return ids;
    }

    /// <summary>
    /// Makes the index durable up to the committed log (between groups): an open then replays
    /// only what comes after. A failure is logged and leaves the previous checkpoint in place.
    /// </summary>
    public void Checkpoint()
    {
        if (HasStaged) throw new InvalidOperationException("a checkpoint between groups only");
        if (!HasUncheckpointed) return;
        try
        {
            _index.Checkpoint(Coverage);
        }
        catch (IndexDamagedException e)
        {
            RebuildIndex(e);
        }
        catch (IOException e)
        {
            Log.Warn("messages.checkpoint", $"the index checkpoint failed: {e.Message}; an open replays more of the log");
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        _file.Dispose();
        _staged.Release();
    }

    private IndexCoverage Coverage => new(_committedLength, _committedSeq, _lastRecordOffset);

    /// <summary>Reads the record at <paramref name="offset"/>, committed or staged.</summary>
    private MessageRecord ReadAt(long offset)
    {
        ReadOnlySpan<byte> data;
        if (offset >= _committedLength)
        {
            data = _staged.Span[(int)(offset - _committedLength)..];
        }
        else
        {
            // Most messages are short: read a little, and the rest only for a long one.
            int n = RandomAccess.Read(_file, _readBuffer.AsSpan(0, 512), offset);
            if (n >= 4)
            {
                int size = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_readBuffer);
                if (size > n && size <= _readBuffer.Length) n += RandomAccess.Read(_file, _readBuffer.AsSpan(n, size - n), offset + n);
            }
            data = _readBuffer.AsSpan(0, n);
        }
        if (!MessageRecord.TryRead(data, out var record, out _))
            throw new InvalidDataException($"{_path}: corrupt record at offset {offset}");
        return record;
    }
}

internal readonly record struct AppendResult(ulong Seq, long TimeMs, bool Duplicate);

using Microsoft.Win32.SafeHandles;
using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// Where each message is in the log, on disk: one posting list per user (SYNC, the resend
/// window) and per conversation (HISTORY), keyed by <see cref="ListKey"/>. A list is a chain of
/// blocks of up to 64 (seq, offset) entries in messages.index (<see cref="IndexBlock"/>) plus a
/// tail in memory of the entries not yet in a block. Memory holds one small <see cref="PostingList"/>
/// per list, whatever the history's length; the operating system's page cache holds the blocks.
/// </summary>
/// <remarks>
/// Entries are added staged (with the log's staged records) and only cut into blocks when the log
/// committed them, so a block never points at a record the log may lose. Blocks are written, not
/// fsynced, per group: the index may lag the log; a checkpoint (<see cref="Checkpoint"/>) fsyncs it
/// and records how much of the log it covers, and an open replays the log after that. Every block
/// read is checked (CRC, key, number, first seq, offsets inside the log); anything else throws
/// <see cref="IndexDamagedException"/> and the log rebuilds the index. Used by the message worker only.
/// </remarks>
internal sealed partial class MessageIndex : IDisposable
{
    public const string FileName = "messages.index";

    // "OCMIDX01": the format of the blocks; a future format gets a new magic (and is rebuilt).
    private static readonly byte[] Magic = "OCMIDX01"u8.ToArray();

    private readonly string _path;
    private readonly string _dataDirectory;
    private readonly SafeFileHandle _file;
    private readonly Dictionary<ulong, PostingList> _lists = [];
    private readonly List<PostingList> _staged = [];
    private readonly List<PostingList> _queued = [];
    private readonly ByteBuffer _blocks = new();
    private readonly byte[] _readBuffer = new byte[IndexBlock.MaxSize];
    private long _length;
    private bool _broken;

    public MessageIndex(string dataDirectory)
    {
        _dataDirectory = dataDirectory;
        _path = Path.Combine(dataDirectory, FileName);
        _checkpointPath = Path.Combine(dataDirectory, CheckpointFileName);
        _file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        PrivateFiles.Restrict(_file);
    }

    /// <summary>Bytes of messages.log committed: no entry of a block may point at or past it.</summary>
    public long LogLength { get; set; }

    /// <summary>Posting lists known (each costs memory, messages do not).</summary>
    public int ListCount => _lists.Count;

    /// <summary>Who may read which room, as the log says (<see cref="RoomSpans"/>): kept, saved and rebuilt with the index.</summary>
    public RoomSpans Rooms { get; } = new();

    /// <summary>
    /// Stages one record: a 1:1 message into the sender's and recipient's lists and their
    /// conversation's; a room member's message into the room's list and the sender's (their resend
    /// window reads it back from there; SYNC skips it on that list); any other room entry into the
    /// room's list only.
    /// </summary>
    public void Add(in MessageRecord record, long offset)
    {
        var entry = new IndexEntry(record.Seq, offset);
        if (record.IsRoom)
        {
            AddTo(ListKey.Room(record.Target), entry);
            if (RoomRecords.KindOf(record) == OC.Protocol.Messages.RoomMessageKind.Text) AddTo(ListKey.User(record.From), entry);
            Rooms.Apply(record);
            return;
        }
        int from = record.From, to = record.To;
        AddTo(ListKey.User(from), entry);
        if (to != from) AddTo(ListKey.User(to), entry);
        AddTo(ListKey.Conversation(from, to), entry);
    }

    /// <summary>
    /// The log committed the staged entries: full blocks are cut from the tails and written (one
    /// write, no fsync). A failed write leaves the index broken until the next read rebuilds it;
    /// the messages are safe in the log either way.
    /// </summary>
    public void CommitStaged()
    {
        _staged.Clear();
        Rooms.Commit();
        try
        {
            foreach (var list in _queued)
            {
                list.Queued = false;
                while (list.TailCount >= IndexBlock.MaxEntries) CutBlock(list, IndexBlock.MaxEntries);
            }
        }
        catch (IndexDamagedException e)
        {
            // A newest block read back for its pointers was damaged: the log has the messages.
            _broken = true;
            Log.Warn("messages.index_damaged", $"{_path}: {e.Message}; the index is rebuilt from the log at its next use");
        }
        _queued.Clear();
        if (_blocks.IsEmpty) return;
        try
        {
            RandomAccess.Write(_file, _blocks.Span, _length);
        }
        catch (IOException e)
        {
            _broken = true;
            Log.Error("messages.index_write", $"{_path}: {e.Message}; the index is rebuilt from the log at its next use");
        }
        _length += _blocks.Length;
        _blocks.Consume(_blocks.Length);
        if (_blocks.Capacity > 1024 * 1024) _blocks.Release();
    }

    /// <summary>Takes the staged entries back out (the log's group failed): they are at the tails' ends.</summary>
    public void RollbackStaged()
    {
        for (int i = _staged.Count - 1; i >= 0; i--) _staged[i].RemoveLast();
        _staged.Clear();
        Rooms.Rollback();
    }

    public void Dispose()
    {
        _file.Dispose();
        _blocks.Release();
    }

    private void AddTo(ulong key, IndexEntry entry)
    {
        if (!_lists.TryGetValue(key, out var list)) _lists[key] = list = new PostingList(key);
        list.Add(entry);
        _staged.Add(list);
        if (list.TailCount >= IndexBlock.MaxEntries && !list.Queued)
        {
            list.Queued = true;
            _queued.Add(list);
        }
    }

    /// <summary>Moves the oldest <paramref name="count"/> tail entries into a new block (staged in <see cref="_blocks"/>).</summary>
    private void CutBlock(PostingList list, int count)
    {
        int number = list.BlockCount;
        var pointers = list.NextPointers ?? PointersAfterNewest(list);
        var entries = list.Tail[..count];
        long offset = _length + _blocks.Length;
        int size = IndexBlock.Write(_blocks.GetSpan(IndexBlock.SizeOf(pointers.Length, count)), list.Key, number, pointers, entries);
        _blocks.Advance(size);
        var written = new BlockPointer(offset, entries[0].Seq);
        list.NextPointers = IndexBlock.NextPointers(number + 1, pointers, written);
        list.BlockCount = number + 1;
        list.LastBlockOffset = offset;
        list.LastBlockFirstSeq = written.FirstSeq;
        list.RemoveFirst(count);
    }

    /// <summary>The pointers of the list's next block, from its newest block on disk (memory dropped them, or an open).</summary>
    private BlockPointer[] PointersAfterNewest(PostingList list)
    {
        if (list.BlockCount == 0) return [];
        var newest = new BlockPointer(list.LastBlockOffset, list.LastBlockFirstSeq);
        return IndexBlock.NextPointers(list.BlockCount, ReadBlock(list, list.BlockCount - 1, newest), newest);
    }
}

using Microsoft.Win32.SafeHandles;
using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// All 1:1 messages in one append-only file (messages.log in the data folder), with in-memory
/// indexes rebuilt at open. One document per message in LiteDB tops out near 87,000 inserts a
/// second on the target hardware; a log written once per group and fsynced once per group does
/// not. Used by one thread only (<see cref="MessageWorker"/>).
/// </summary>
/// <remarks>
/// Appends are staged: they get their seq and index entries at once (so a SYNC or HISTORY later in
/// the same group sees them), and reach the file in <see cref="Commit"/>: one write, one fsync. If
/// the commit fails, the file is cut back and the staged entries are taken out again.
/// </remarks>
internal sealed partial class MessageLog : IDisposable
{
    public const string FileName = "messages.log";

    // "OCMSGLG1": the format of this file; a future format gets a new magic.
    private static readonly byte[] Magic = "OCMSGLG1"u8.ToArray();

    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly MessageIndex _index = new();
    private readonly ByteBuffer _staged = new();
    private readonly byte[] _readBuffer = new byte[MessageRecord.MaxSize];
    private long _committedLength;
    private ulong _committedSeq;
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
            if (created || RandomAccess.GetLength(_file) == 0)
            {
                RandomAccess.Write(_file, Magic, 0);
                RandomAccess.FlushToDisk(_file);
                DirectorySync.Flush(dataDirectory);
                _committedLength = Magic.Length;
            }
            else
            {
                Load();
            }
        }
        catch
        {
            _file.Dispose();
            throw;
        }
        _nextSeq = _committedSeq + 1;
    }

    /// <summary>Messages stored and flushed.</summary>
    public long Count { get; private set; }

    public long FileBytes => _committedLength;

    public ulong LastSeq => _committedSeq;

    public bool HasStaged => !_staged.IsEmpty;

    /// <summary>The time stamped on the messages of the current group, read once per group by the worker.</summary>
    public long GroupTimeMs { get; set; }

    /// <summary>
    /// Stages a message. A message id this sender used for one of their last
    /// <see cref="MessageIndex.RecentIdsPerSender"/> messages returns the stored one instead.
    /// </summary>
    public AppendResult Append(int from, int to, ReadOnlySpan<byte> id, ReadOnlySpan<byte> text, long timeMs)
    {
        var key = new Guid(id);
        if (_index.TryFindRecent(from, key, out var earlier)) return new AppendResult(earlier.Seq, earlier.TimeMs, Duplicate: true);

        var record = new MessageRecord(_nextSeq++, timeMs, from, to, id, text);
        long offset = _committedLength + _staged.Length;
        record.WriteTo(_staged.GetSpan(record.Size));
        _staged.Advance(record.Size);
        _index.Add(record.Seq, offset, from, to, key, timeMs);
        return new AppendResult(record.Seq, timeMs, Duplicate: false);
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
        Count += (long)(_nextSeq - 1 - _committedSeq);
        _committedLength += _staged.Length;
        _committedSeq = _nextSeq - 1;
        _index.CommitStaged();
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
        _staged.Consume(_staged.Length);
        _nextSeq = _committedSeq + 1;
    }

    public void Dispose()
    {
        _file.Dispose();
        _staged.Release();
    }

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
            int n = RandomAccess.Read(_file, _readBuffer, offset);
            data = _readBuffer.AsSpan(0, n);
        }
        if (!MessageRecord.TryRead(data, out var record, out _))
            throw new InvalidDataException($"{_path}: corrupt record at offset {offset}");
        return record;
    }
}

internal readonly record struct AppendResult(ulong Seq, long TimeMs, bool Duplicate);

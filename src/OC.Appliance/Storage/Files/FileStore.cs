using System.Security.Cryptography;
using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;
using OC.Protocol.IO;
using FileState = OC.Protocol.Messages.FileState;

namespace OC.Appliance.Storage.Files;

/// <summary>Appliance-wide file limits (docs/protocol.md, "Files").</summary>
internal sealed record FileLimits
{
    public long MaxFileSize { get; init; } = 4L * 1024 * 1024 * 1024;
    public long QuotaPerUser { get; init; } = 10L * 1024 * 1024 * 1024;
    public TimeSpan PartialTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>--retention: files older than this are deleted (null: kept for ever; see FileStore.Expire).</summary>
    public TimeSpan? Retention { get; init; }
    public long MinFreeBytes { get; init; } = DiskSpaceGuard.DefaultMinFreeBytes;

    /// <summary>How far beyond what the worker has written a client may send (the credit of FILE_ACCEPTED / FILE_PROGRESS ends there).</summary>
    public int Credit { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Data is fsynced and the offset confirmed each time this much more was written (and when the
    /// worker has caught up, see <see cref="ConfirmIdleBytes"/>): a crash costs a resume at most this much.
    /// </summary>
    public int ConfirmEvery { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// When the worker has caught up, an upload is confirmed if this much of it is unconfirmed or
    /// its last confirm is <see cref="ConfirmIdleInterval"/> old. An upload slower than the disk
    /// (a LAN, a phone) leaves the worker idle after every chunk: this keeps it from paying an
    /// fdatasync and a sidecar per 256 KiB, while a slow one still moves every quarter second.
    /// </summary>
    public int ConfirmIdleBytes { get; init; } = 4 * 1024 * 1024;

    public TimeSpan ConfirmIdleInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public bool FlushToDisk { get; init; } = true;
}

internal readonly record struct OfferResult(FileRecord? Record, long Offset, ErrorCode Code, string? Error, bool JustCompleted);

internal enum SealOutcome
{
    Complete,
    /// <summary>Sealed before with the same hash (a client that lost the reply): nothing changes.</summary>
    AlreadyComplete,
    /// <summary>The hash did not match: the upload is deleted.</summary>
    Rejected,
    NotFound,
    NotHashAtEnd,
    /// <summary>Not all bytes are written (yet).</summary>
    Incomplete,
    /// <summary>A file sealed before, with another hash: it stays as it is.</summary>
    DiffersFromComplete,
}

/// <summary>
/// Where an upload stands after a group of the file worker: written (credit follows it) and
/// confirmed (flushed and recorded: where a resume starts). <see cref="Error"/> is set when a
/// confirm failed; the upload is then closed and a resume starts from the last confirm.
/// </summary>
internal readonly record struct UploadProgress(ulong FileId, long Written, long Confirmed, string? Error = null);

internal enum WriteOutcome
{
    /// <summary>Not at the offset this upload is at (a stale connection's chunk): ignored.</summary>
    Stale,
    Written,
    Complete,
    Rejected,
}

/// <summary>
/// The files on disk: <c>&lt;data&gt;/files/&lt;id&gt;.part</c> while uploading, <c>&lt;id&gt;</c> once the
/// SHA-256 matched, <c>&lt;id&gt;.meta</c> beside each (see <see cref="FileRecord"/>). Ids are
/// random, chosen here; a client's name is metadata only and never part of a path.
/// File worker thread only.
/// </summary>
internal sealed partial class FileStore : IDisposable
{
    private readonly string _folder;
    private readonly FileLimits _limits;
    private readonly Dictionary<ulong, FileRecord> _files = [];
    private readonly Dictionary<ulong, Upload> _open = [];
    private readonly DiskSpaceGuard _disk;

    // Uploads written to since the last progress report, and uploads with unconfirmed bytes
    // whose confirm is not due yet (when it is). Only this store decides when to confirm.
    private readonly HashSet<ulong> _written = [];
    private readonly Dictionary<ulong, long> _confirmDue = [];

    private sealed class Upload(FileAppender writer, IncrementalHash hash) : IDisposable
    {
        public FileAppender Writer { get; } = writer;
        public IncrementalHash Hash { get; } = hash;

        /// <summary>Bytes written to the .part (not all of them confirmed).</summary>
        public long Written => Writer.Length;

        public void Dispose()
        {
            Writer.Dispose();
            Hash.Dispose();
        }
    }

    public FileStore(string dataDirectory, FileLimits limits)
    {
        _folder = Path.Combine(Path.GetFullPath(dataDirectory), "files");
        _limits = limits;
        PrivateFiles.EnsureOwnFolder(_folder);
        _disk = new DiskSpaceGuard(_folder, limits.MinFreeBytes);
        Load();
    }

    public int Count => _files.Count;

    /// <summary>Unix milliseconds of the group being run, set by the worker: the jobs' "now".</summary>
    public long NowMs { get; set; }

    /// <summary>Complete files and bytes, for the status page (read from any thread); owned by this store.</summary>
    public FileCounters Counters { get; } = new();

    private string PartPath(FileRecord f) => Path.Combine(_folder, f.IdText + ".part");
    private string DataPath(FileRecord f) => Path.Combine(_folder, f.IdText);
    private string MetaPath(FileRecord f) => Path.Combine(_folder, f.IdText + ".meta");

    /// <summary>
    /// A new upload, a resume or a file that is complete already. <paramref name="sha256"/> is the
    /// content's hash, or with <paramref name="hashAtEnd"/> the client's key for the upload (the
    /// hash then comes with <see cref="Seal"/>). A room file has <paramref name="to"/> 0 and its
    /// <paramref name="room"/> (the handler checked that the sender is a member); it counts to the
    /// sender's quota like any file.
    /// </summary>
    public OfferResult Offer(int from, int to, string name, long size, byte[] sha256, bool hashAtEnd, long nowMs, int room = 0)
    {
        if (size > _limits.MaxFileSize)
        {
            return Fail(ErrorCode.FileTooLarge, $"the file is {size} bytes; this appliance takes at most {_limits.MaxFileSize}");
        }
        if (size == 0 && hashAtEnd)
        {
            return Fail(ErrorCode.InvalidArgument, "a 0-byte file is offered with its SHA-256, not with the hash at the end");
        }

        // A resume: same sender, recipient (or room) and size, and the same hash or (hash at the
        // end) key. An unsealed upload's hash is not known yet, so only its key can match it.
        foreach (var f in _files.Values)
        {
            if (f.From != from || f.To != to || f.Room != room || f.Size != size || f.State == FileState.Rejected) continue;
            bool same = hashAtEnd
                ? f.HashAtEnd && f.Key.AsSpan().SequenceEqual(sha256)
                : !(f.HashAtEnd && f.State == FileState.Uploading) && f.Sha256.AsSpan().SequenceEqual(sha256);
            if (!same) continue;
            if (f.State == FileState.Complete) return new OfferResult(f, f.Size, 0, null, false);
            if (!HasFreeSpace(out string? full)) return Fail(ErrorCode.StorageFailure, full!);
            var upload = OpenUpload(f);
            ConfirmWritten(f, upload, nowMs);
            return new OfferResult(f, f.Confirmed, 0, null, false);
        }

        long used = 0;
        foreach (var f in _files.Values) if (f.From == from && f.State != FileState.Rejected) used += f.Size;
        if (used + size > _limits.QuotaPerUser)
        {
            return Fail(ErrorCode.QuotaExceeded, $"your files on this appliance would take {used + size} bytes; your quota is {_limits.QuotaPerUser}");
        }
        if (!HasFreeSpace(out string? error)) return Fail(ErrorCode.StorageFailure, error!);

        ulong id;
        do id = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)); while (id == 0 || _files.ContainsKey(id));
        var record = new FileRecord
        {
            Id = id, From = from, To = to, Room = room, Name = name, Size = size,
            Sha256 = hashAtEnd ? new byte[32] : sha256, HashAtEnd = hashAtEnd, Key = hashAtEnd ? sha256 : new byte[32],
            CreatedMs = nowMs, TouchedMs = nowMs, State = FileState.Uploading,
        };
        if (size == 0)
        {
            if (!SHA256.HashData(ReadOnlySpan<byte>.Empty).AsSpan().SequenceEqual(sha256))
            {
                return Fail(ErrorCode.FileRejected, "the SHA-256 does not match an empty file");
            }
            PrivateFiles.Open(DataPath(record), FileMode.Create, FileAccess.Write).Dispose();
            record.State = FileState.Complete;
            SaveMeta(record);
            _files.Add(id, record);
            Counters.AddFile(0);
            return new OfferResult(record, 0, 0, null, true);
        }

        _files.Add(id, record);
        OpenUpload(record);
        SaveMeta(record);
        return new OfferResult(record, 0, 0, null, false);

        static OfferResult Fail(ErrorCode code, string text) => new(null, 0, code, text, false);
    }

    /// <summary>Appends a chunk at <paramref name="offset"/>; fsyncs and confirms every few MiB and at the end.</summary>
    public WriteOutcome Write(ulong id, long offset, ReadOnlySpan<byte> data, long nowMs, out FileRecord? record)
    {
        if (!_files.TryGetValue(id, out record) || record.State != FileState.Uploading) return WriteOutcome.Stale;
        var upload = OpenUpload(record);
        if (offset != upload.Written || offset + data.Length > record.Size) return WriteOutcome.Stale;
        if (!HasFreeSpace(out string? full))
        {
            // Keep what is there for a resume once space is free again.
            ConfirmWritten(record, upload, nowMs);
            throw new DiskFullException(full!);
        }

        try
        {
            upload.Writer.Append(data);
            upload.Hash.AppendData(data);
            _written.Add(id);
            if (upload.Written < record.Size)
            {
                if (upload.Written - record.Confirmed >= _limits.ConfirmEvery) ConfirmWritten(record, upload, nowMs);
                return WriteOutcome.Written;
            }
            if (record.HashAtEnd)
            {
                // Every byte is here; FILE_SEAL brings the hash to check them against.
                ConfirmWritten(record, upload, nowMs);
                return WriteOutcome.Written;
            }
            return Finish(record, upload);
        }
        catch
        {
            // A write that failed (a full disk, an I/O error) leaves the writer and the hash past
            // what is in the file: close them, and a resume reopens the .part at the confirmed offset.
            Close(record);
            throw;
        }
    }

    /// <summary>
    /// FILE_SEAL: the SHA-256 of an upload offered with the hash at the end, once all its bytes are
    /// written. A match completes it, a mismatch deletes it (as a wrong hash in an offer does).
    /// </summary>
    public SealOutcome Seal(int user, ulong id, byte[] sha256, long nowMs, out FileRecord? record)
    {
        if (!_files.TryGetValue(id, out record) || record.From != user || record.State == FileState.Rejected) return SealOutcome.NotFound;
        if (!record.HashAtEnd) return SealOutcome.NotHashAtEnd;
        if (record.State == FileState.Complete)
        {
            return record.Sha256.AsSpan().SequenceEqual(sha256) ? SealOutcome.AlreadyComplete : SealOutcome.DiffersFromComplete;
        }
        var upload = OpenUpload(record);
        if (upload.Written != record.Size) return SealOutcome.Incomplete;
        try
        {
            record.Sha256 = sha256;
            record.TouchedMs = nowMs;
            return Finish(record, upload) == WriteOutcome.Complete ? SealOutcome.Complete : SealOutcome.Rejected;
        }
        catch
        {
            record.Sha256 = new byte[32];
            Close(record);
            throw;
        }
    }

    /// <summary>
    /// After each group of the file worker, and when a confirm falls due while it is idle: reports
    /// every upload written to since the last report (credit follows what is written), and, once
    /// the worker has caught up (<paramref name="caughtUp"/>: no job waits), confirms the uploads
    /// whose confirm is due — <see cref="FileLimits.ConfirmIdleBytes"/> unconfirmed, or
    /// <see cref="FileLimits.ConfirmIdleInterval"/> since the last confirm. So a fast upload keeps
    /// the worker busy and is confirmed every <see cref="FileLimits.ConfirmEvery"/> (in
    /// <see cref="Write"/>), a slow one as it goes, and a paused one when its time comes
    /// (<see cref="NextConfirmDueMs"/>): the fsyncs adapt to the load.
    /// </summary>
    public void ReportProgress(bool caughtUp, long nowMs, List<UploadProgress> reports)
    {
        foreach (ulong id in _written)
        {
            if (!_files.TryGetValue(id, out var record) || record.State != FileState.Uploading || !_open.TryGetValue(id, out var upload)) continue;
            string? error = null;
            if (caughtUp) error = ConfirmIfDue(record, upload, nowMs);
            else if (upload.Written != record.Confirmed) _confirmDue.TryAdd(id, ConfirmDueMs(record));
            reports.Add(new UploadProgress(id, upload.Written, record.Confirmed, error));
        }
        if (caughtUp && _confirmDue.Count > 0)
        {
            foreach (var (id, due) in _confirmDue.ToList())
            {
                if (due > nowMs || _written.Contains(id) || !_files.TryGetValue(id, out var record) || !_open.TryGetValue(id, out var upload)) continue;
                string? error = ConfirmIfDue(record, upload, nowMs);
                reports.Add(new UploadProgress(id, upload.Written, record.Confirmed, error));
            }
        }
        _written.Clear();
    }

    /// <summary>When the earliest unconfirmed upload falls due (0: none waits).</summary>
    public long NextConfirmDueMs
    {
        get
        {
            long first = 0;
            foreach (long due in _confirmDue.Values) if (first == 0 || due < first) first = due;
            return first;
        }
    }

    private long ConfirmDueMs(FileRecord record) => record.TouchedMs + (long)_limits.ConfirmIdleInterval.TotalMilliseconds;

    /// <summary>Confirms the upload if due, else notes when it will be; the error of a failed confirm (the upload is closed then).</summary>
    private string? ConfirmIfDue(FileRecord record, Upload upload, long nowMs)
    {
        _confirmDue.Remove(record.Id);
        if (upload.Written == record.Confirmed) return null;
        long due = ConfirmDueMs(record);
        if (upload.Written - record.Confirmed < _limits.ConfirmIdleBytes && nowMs < due)
        {
            _confirmDue[record.Id] = due;
            return null;
        }
        try
        {
            ConfirmWritten(record, upload, nowMs);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Error("files.confirm_failed", $"{record.IdText}: {e.GetType().Name}: {e.Message}");
            Close(record);
            return e.Message;
        }
    }

    /// <summary>
    /// Nobody streams the upload now: confirm what it wrote and free the writer's buffers (the
    /// handle and the running hash stay, so a resume goes on without reading the prefix again).
    /// </summary>
    public void Release(ulong id, long nowMs)
    {
        if (!_files.TryGetValue(id, out var record) || !_open.TryGetValue(id, out var upload)) return;
        _confirmDue.Remove(id);
        try
        {
            if (upload.Written != record.Confirmed) ConfirmWritten(record, upload, nowMs);
            upload.Writer.ReleaseBuffers();
        }
        catch
        {
            Close(record);
            throw;
        }
    }

    /// <summary>
    /// Every file the user sent or received (with <paramref name="peer"/>, when not 0: only the 1:1
    /// files between the two), oldest first; rejected ones never. Without a peer the files of
    /// <paramref name="rooms"/> are in it too (the rooms the user is a member of now, read by the
    /// caller from the room store): the complete ones and the user's own partial uploads, as
    /// <see cref="ListRoom"/> gives them, so the list holds what FILE_GET would give.
    /// </summary>
    public List<FileRecord> List(int user, int peer, IReadOnlySet<int>? rooms = null)
    {
        var result = new List<FileRecord>();
        foreach (var f in _files.Values)
        {
            if (f.State == FileState.Rejected) continue;
            if (f.Room != 0)
            {
                if (peer != 0 || rooms is null || !rooms.Contains(f.Room)) continue;
                if (f.State != FileState.Complete && f.From != user) continue;
                result.Add(f);
                continue;
            }
            if (f.From != user && f.To != user) continue;
            // The recipient sees a file only once it is complete and verified.
            if (f.To == user && f.From != user && f.State != FileState.Complete) continue;
            if (peer != 0 && f.From != peer && f.To != peer) continue;
            result.Add(f);
        }
        return Newest(result);
    }

    /// <summary>
    /// The files of one room: the complete ones, whoever sent them, and the asker's own partial
    /// uploads to it. The caller checked that <paramref name="user"/> is a member now.
    /// </summary>
    public List<FileRecord> ListRoom(int user, int room)
    {
        var result = new List<FileRecord>();
        foreach (var f in _files.Values)
        {
            if (f.Room != room || f.State == FileState.Rejected) continue;
            if (f.State != FileState.Complete && f.From != user) continue;
            result.Add(f);
        }
        return Newest(result);
    }

    /// <summary>Oldest first, at most the newest <see cref="OC.Protocol.ProtocolLimits.MaxFileEntries"/>.</summary>
    private static List<FileRecord> Newest(List<FileRecord> result)
    {
        result.Sort((a, b) => a.CreatedMs != b.CreatedMs ? a.CreatedMs.CompareTo(b.CreatedMs) : a.Id.CompareTo(b.Id));
        if (result.Count > OC.Protocol.ProtocolLimits.MaxFileEntries) result.RemoveRange(0, result.Count - OC.Protocol.ProtocolLimits.MaxFileEntries);
        return result;
    }

    /// <summary>
    /// A complete file that <paramref name="user"/> sent or received, or a complete room file,
    /// whoever asks: who may read a room file is the room store's to say (current members), so the
    /// caller checks that before it sends a byte. Null otherwise (whether or not it exists).
    /// </summary>
    public FileRecord? FindReadable(int user, ulong id) =>
        _files.TryGetValue(id, out var f) && f.State == FileState.Complete && (f.Room != 0 || f.From == user || f.To == user) ? f : null;

    public int Read(ulong id, long offset, Span<byte> buffer)
    {
        if (!_files.TryGetValue(id, out var f) || f.State != FileState.Complete) throw new FileNotFoundException("the file is gone");
        using var handle = File.OpenHandle(DataPath(f), FileMode.Open, FileAccess.Read, FileShare.Read);
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0) throw new IOException($"file {f.IdText} is shorter than its size");
            total += n;
        }
        // Downloads stream a file out once (and uploads never cached it, see FileAppender): keep
        // the page cache for the database rather than for bytes already sent.
        DataSync.DropCached(handle, offset, total);
        return total;
    }

    /// <summary>Complete files to <paramref name="user"/> that they have not downloaded to the end.</summary>
    public List<FileRecord> Unfetched(int user)
    {
        var result = new List<FileRecord>();
        foreach (var f in _files.Values)
        {
            if (f.To == user && f.State == FileState.Complete && !f.Fetched) result.Add(f);
        }
        result.Sort((a, b) => a.CreatedMs.CompareTo(b.CreatedMs));
        return result;
    }

    public void MarkFetched(int user, ulong id)
    {
        if (!_files.TryGetValue(id, out var f) || f.To != user || f.Fetched) return;
        f.Fetched = true;
        SaveMeta(f);
    }

    public void Dispose()
    {
        foreach (var (id, upload) in _open)
        {
            try
            {
                if (_files.TryGetValue(id, out var f)) ConfirmWritten(f, upload, f.TouchedMs);
            }
            catch (IOException e)
            {
                Log.Warn("files.close_failed", $"{e.Message}");
            }
            upload.Dispose();
        }
        _open.Clear();
    }

    private bool HasFreeSpace(out string? error)
    {
        if (_disk.HasRoom(out error)) return true;
        error += "; the partial upload is kept, try again later";
        return false;
    }
}

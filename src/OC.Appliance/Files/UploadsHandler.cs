using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Appliance.Storage;
using OC.Appliance.Sessions;
using OC.Appliance.Storage.Files;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>
/// Uploads (docs/protocol.md, "Files"): FILE_OFFER, the FILE_CHUNK stream with credit, FILE_SEAL,
/// FILE_PROGRESS, and FILE_RECEIVED to the recipient once a file is complete. The loop only
/// checks and routes; every byte is written and hashed on the file worker, whose store decides
/// when to confirm and reports each upload's progress here (<see cref="OnProgress"/>). An offer
/// to a room ("Room files") first asks the room store whether the sender is a member now.
/// Loop thread only.
/// </summary>
internal sealed class UploadsHandler
{
    internal const int MaxUploadsPerConnection = 4;

    /// <summary>An upload is told of more credit (FILE_PROGRESS) each time the worker wrote this much more: a quarter of the 8 MiB credit keeps the client sending.</summary>
    internal const int CreditStep = 2 * 1024 * 1024;

    private readonly FileWorker _files;
    private readonly StorageWorker _storage;
    private readonly PresenceRegistry _presence;
    private readonly Dictionary<ulong, FileUpload> _uploads = [];
    private readonly FileNotices _notices;
    private readonly RoomFileNotices _roomNotices;
    private readonly RateLimits _limits;

    public UploadsHandler(FileWorker files, StorageWorker storage, PresenceRegistry presence, SessionEvents sessions, FileNotices notices,
        RoomFileNotices roomNotices, RateLimits limits)
    {
        _files = files;
        _storage = storage;
        _limits = limits;
        _presence = presence;
        _notices = notices;
        _roomNotices = roomNotices;
        files.OnProgress = OnProgress;
        sessions.Ended += OnSessionEnded;
    }

    public long FileChunksDropped { get; private set; }

    public void OnFileOffer(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FileOffer.TryRead(payload, out var offer))
        {
            Replies.Malformed(session, requestId, "FILE_OFFER");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (!Replies.WithinRate(session, requestId, _limits, RateKind.FileOffer)) return;
        if (FileEntries.NameProblem(offer.Name) is { } problem)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, problem);
            return;
        }
        int from = session.UserNumber;
        if (offer.ToRoom)
        {
            if (!OcNumber.IsValid(offer.To))
            {
                Replies.Error(session, requestId, ErrorCode.UnknownRoom, $"{offer.To} is not a room id (six digits)");
                return;
            }
        }
        else
        {
            if (offer.To == (uint)from)
            {
                Replies.Error(session, requestId, ErrorCode.InvalidArgument, "you cannot send a file to yourself");
                return;
            }
            if (!Relations.RequireFriend(_presence, session, requestId, (int)offer.To)) return;
        }
        if (offer.Size > (ulong)_files.Limits.MaxFileSize)
        {
            Replies.Error(session, requestId, ErrorCode.FileTooLarge, $"the file is {offer.Size} bytes; this appliance takes at most {_files.Limits.MaxFileSize}");
            return;
        }
        int held = 0;
        foreach (var u in _uploads.Values) if (ReferenceEquals(u.Session, session)) held++;
        if (held >= MaxUploadsPerConnection)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, $"at most {MaxUploadsPerConnection} uploads at once per connection");
            return;
        }
        if (offer.ToRoom)
        {
            // Every offer to a room, a resume too, is by a member now (a kicked one cannot go on).
            _storage.Post(new RoomMemberCheckJob(session, requestId, from, (int)offer.To, check =>
            {
                if (!check.Member)
                {
                    Replies.Error(session, requestId, ErrorCode.NotRoomMember, $"you are not a member of room #{check.RoomId:D6}");
                    return;
                }
                _files.Post(new OfferJob(this, session, requestId, offer, from));
            }));
            return;
        }
        _files.Post(new OfferJob(this, session, requestId, offer, from));
    }

    /// <summary>A file is complete and verified: its recipient (or its room's members) hears of it.</summary>
    private void Announce(in FileEntry entry, ClientSession? uploader)
    {
        if (entry.Room != 0) _roomNotices.RoomFileSealed(entry, uploader);
        else _notices.FileReceived(entry);
    }

    internal void OnOffered(OfferJob job)
    {
        var session = job.Session;
        var result = job.Result;
        if (result.Record is null)
        {
            if (!session.IsClosed) Replies.Error(session, job.RequestId, result.Code, result.Error!);
            return;
        }
        var entry = job.Entry;
        if (result.JustCompleted) Announce(entry, session);
        if (session.IsClosed) return;

        uint credit = (uint)_files.Limits.Credit;
        if (entry.State == FileState.Uploading)
        {
            // A newer offer takes the upload over from an older connection (a client that reconnected).
            _uploads[entry.FileId] = new FileUpload(session, entry.FileId, (int)entry.To, (long)entry.Size, result.Offset, _files.Limits.Credit);
        }
        FileAccepted.Write(session.Connection.Output, job.RequestId, new FileAccepted(entry.FileId, (ulong)result.Offset, credit));
        session.Connection.Commit();
    }

    public void OnFileChunk(ClientSession session, ReadOnlySpan<byte> payload)
    {
        if (!FileChunk.TryRead(payload, out ulong fileId, out ulong offset, out var data))
        {
            Replies.Malformed(session, Frame.NoRequest, "FILE_CHUNK");
            return;
        }
        if (session.State != SessionState.Authenticated)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.UnexpectedFrame, "FILE_CHUNK before a login");
            return;
        }
        if (!_uploads.TryGetValue(fileId, out var upload) || !ReferenceEquals(upload.Session, session))
        {
            // Chunks can be in flight when an upload ends or moves to another connection: dropped, not fatal.
            FileChunksDropped++;
            return;
        }
        long end = (long)offset + data.Length;
        if (data.Length is 0 or > ProtocolLimits.MaxFileChunkBytes || (long)offset != upload.Next || end > upload.Size
            || end > upload.Limit)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.UnexpectedFrame,
                $"FILE_CHUNK at {offset} with {data.Length} bytes breaks the upload's order or credit (next {upload.Next}, confirmed {upload.Confirmed}, credit up to {upload.Limit})");
            return;
        }
        upload.Next = end;
        _files.Post(new ChunkJob(this, upload, (long)offset, data));
    }

    /// <summary>A chunk is written (or failed, or finished the upload); credit and confirms come with <see cref="OnProgress"/>.</summary>
    internal void OnChunkWritten(ChunkJob job)
    {
        var upload = job.Upload;
        bool current = IsCurrent(upload);
        if (job.Error is not null)
        {
            if (current) Fail(upload, job.Error.Message);
            return;
        }
        if (job.Outcome is WriteOutcome.Stale or WriteOutcome.Written) return;
        if (job.Outcome == WriteOutcome.Complete) Announce(job.Entry, upload.Session);
        if (!current) return;
        _uploads.Remove(upload.FileId);
        upload.Confirmed = (long)job.Entry.Stored;
        SendProgress(upload, job.Outcome == WriteOutcome.Complete ? FileState.Complete : FileState.Rejected);
    }

    /// <summary>
    /// The store's report after a group: credit follows what the worker has written, so at most
    /// the credit waits in memory; confirming (an fsync) is rarer and only says where a resume starts.
    /// </summary>
    private void OnProgress(UploadProgress progress)
    {
        if (!_uploads.TryGetValue(progress.FileId, out var upload)) return;
        if (progress.Error is not null)
        {
            Fail(upload, progress.Error);
            return;
        }
        upload.Written = Math.Max(upload.Written, progress.Written);
        bool confirmedMore = progress.Confirmed > upload.Confirmed;
        bool creditDue = upload.Written + _files.Limits.Credit - upload.Limit >= CreditStep;
        if (!confirmedMore && !creditDue) return;
        upload.Confirmed = Math.Max(upload.Confirmed, progress.Confirmed);
        SendProgress(upload, FileState.Uploading);
    }

    /// <summary>FILE_PROGRESS to the uploading connection; while uploading, its credit ends 8 MiB beyond what the worker wrote.</summary>
    private void SendProgress(FileUpload upload, FileState state)
    {
        long credit = _files.Limits.Credit;
        if (state == FileState.Uploading)
        {
            upload.Limit = Math.Max(upload.Limit, upload.Written + credit);
            credit = upload.Limit - upload.Confirmed;
        }
        if (upload.Session.IsClosed) return;
        FileProgress.Write(upload.Session.Connection.Output, new FileProgress(upload.FileId, (ulong)upload.Confirmed, (uint)credit, state));
        upload.Session.Connection.Commit();
    }

    /// <summary>Writing the upload failed: it ends here (a resume starts from its last confirm).</summary>
    private void Fail(FileUpload upload, string error)
    {
        _uploads.Remove(upload.FileId);
        PostRelease(upload.FileId);
        if (!upload.Session.IsClosed) Replies.Error(upload.Session, Frame.NoRequest, ErrorCode.StorageFailure, error);
    }

    public void OnFileSeal(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FileSeal.TryRead(payload, out var seal))
        {
            Replies.Malformed(session, requestId, "FILE_SEAL");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (_uploads.TryGetValue(seal.FileId, out var upload) && ReferenceEquals(upload.Session, session) && upload.Next != upload.Size)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, $"FILE_SEAL before the last byte: {upload.Next} of {upload.Size} bytes were sent");
            return;
        }
        // Posted behind this connection's chunks, so the worker has written them when it checks.
        _files.Post(new SealJob(this, session, requestId, session.UserNumber, seal));
    }

    internal void OnSealed(SealJob job)
    {
        var session = job.Session;
        if (job.Outcome is SealOutcome.Complete or SealOutcome.Rejected && _uploads.TryGetValue(job.FileId, out var upload) && ReferenceEquals(upload.Session, session))
        {
            _uploads.Remove(job.FileId);
        }
        if (job.Outcome == SealOutcome.Complete) Announce(job.Entry, session);
        if (session.IsClosed) return;
        switch (job.Outcome)
        {
            case SealOutcome.Complete or SealOutcome.AlreadyComplete:
                FileEntry.WriteList(session.Connection.Output, job.RequestId, [job.Entry]);
                session.Connection.Commit();
                return;
            case SealOutcome.Rejected:
                Replies.Error(session, job.RequestId, ErrorCode.FileRejected, "the SHA-256 does not match the bytes the appliance received; the upload was deleted");
                return;
            case SealOutcome.DiffersFromComplete:
                Replies.Error(session, job.RequestId, ErrorCode.FileRejected, "this upload was completed before with another SHA-256; it stays as it is");
                return;
            case SealOutcome.NotHashAtEnd:
                Replies.Error(session, job.RequestId, ErrorCode.InvalidArgument, "this upload was offered with its SHA-256; there is nothing to seal");
                return;
            case SealOutcome.Incomplete:
                Replies.Error(session, job.RequestId, ErrorCode.InvalidArgument, "the appliance does not have every byte of this upload; offer it again to resume");
                return;
            default:
                Replies.Error(session, job.RequestId, ErrorCode.FileNotFound, $"no upload {job.FileId:x16} of yours");
                return;
        }
    }

    /// <summary>Partial uploads untouched for the partial TTL are deleted on the file worker (an hourly timer).</summary>
    public void Sweep() => TryPost(new SweepJob(), "files.sweep_skipped");

    /// <summary>A session's login ended: its uploads end too; they stay on disk for a resume.</summary>
    private void OnSessionEnded(ClientSession session)
    {
        List<ulong>? gone = null;
        foreach (var (id, u) in _uploads) if (ReferenceEquals(u.Session, session)) (gone ??= []).Add(id);
        if (gone is null) return;
        foreach (ulong id in gone)
        {
            _uploads.Remove(id);
            PostRelease(id);
        }
    }

    private bool IsCurrent(FileUpload upload) => _uploads.TryGetValue(upload.FileId, out var now) && ReferenceEquals(now, upload);

    private void PostRelease(ulong id) => TryPost(new ReleaseUploadJob(id), "files.release_skipped");

    private void TryPost(WorkerJob<FileStore> job, string logEvent)
    {
        try
        {
            _files.Post(job);
        }
        catch (InvalidOperationException e)
        {
            // Shutting down: the store confirms every open upload as it closes.
            Log.Debug(logEvent, e.Message);
        }
    }
}

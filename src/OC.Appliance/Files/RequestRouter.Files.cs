using OC.Appliance.Diagnostics;
using OC.Appliance.Files;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Protocol;

/// <summary>
/// Files (docs/protocol.md, "Files"): FILE_OFFER, the FILE_CHUNK stream with credit, FILE_LIST,
/// FILE_GET with FILE_DATA paced by FILE_ACK, FILE_RECEIVED. The loop only checks and routes;
/// every byte is written, hashed and read on the file worker.
/// </summary>
internal sealed partial class RequestRouter
{
    /// <summary>
    /// How many bytes of a download may be sent and not yet acknowledged (FILE_ACK): what a client
    /// that stops reading its events may have to hold. Not what paces a download: that is
    /// <see cref="DownloadOutputBudget"/>, so the speed does not depend on the round trip.
    /// </summary>
    internal const int DownloadWindow = 16 * 1024 * 1024;

    /// <summary>
    /// A connection's downloads keep at most this much read ahead or queued in its output; more is
    /// read each time the socket took everything (<see cref="OnOutputDrained"/>). The kernel's
    /// send buffer is the pipe; this only keeps it fed, far below the 4 MiB slow-consumer cut.
    /// </summary>
    internal const int DownloadOutputBudget = 1024 * 1024;

    internal const int MaxDownloadsPerConnection = 2;

    internal const int MaxUploadsPerConnection = 4;

    /// <summary>An upload is told of more credit (FILE_PROGRESS) each time the worker wrote this much more: a quarter of the 8 MiB credit keeps the client sending.</summary>
    internal const int CreditStep = 2 * 1024 * 1024;

    private readonly Dictionary<ulong, FileUpload> _uploads = [];

    public long FileChunksDropped { get; private set; }

    private void OnFileOffer(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FileOffer.TryRead(payload, out var offer))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed FILE_OFFER payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        if (FileNameRule(offer.Name) is { } problem)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, problem);
            return;
        }
        int from = session.UserNumber;
        if (offer.To == (uint)from)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, "you cannot send a file to yourself");
            return;
        }
        if (Presence.Find(from) is not { } sender || !sender.Friends.Contains((int)offer.To))
        {
            SendError(session, requestId, ErrorCode.NotFriends, $"{offer.To:D6} is not your friend");
            return;
        }
        if (offer.Size > (ulong)_files.Limits.MaxFileSize)
        {
            SendError(session, requestId, ErrorCode.FileTooLarge, $"the file is {offer.Size} bytes; this appliance takes at most {_files.Limits.MaxFileSize}");
            return;
        }
        int held = 0;
        foreach (var u in _uploads.Values) if (ReferenceEquals(u.Session, session)) held++;
        if (held >= MaxUploadsPerConnection)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, $"at most {MaxUploadsPerConnection} uploads at once per connection");
            return;
        }
        PostFile(session, new OfferJob(this, session, requestId, offer, from));
    }

    /// <summary>Null when the name is acceptable as metadata; it is never used as a path.</summary>
    internal static string? FileNameRule(string name)
    {
        if (name.Length == 0) return "the file name is empty";
        int bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        if (bytes > ProtocolLimits.MaxFileNameBytes) return $"the file name is {bytes} bytes of UTF-8; the most is {ProtocolLimits.MaxFileNameBytes}";
        foreach (char c in name)
        {
            if (char.IsControl(c)) return "the file name contains a control character";
        }
        return null;
    }

    internal void OnOfferCompleted(OfferJob job)
    {
        var session = job.Session;
        if (FileJobFailed(session, job.RequestId, job.Error)) return;
        var result = job.Result;
        if (result.Record is null)
        {
            if (!session.IsClosed) SendError(session, job.RequestId, result.Code, result.Error!);
            return;
        }
        var entry = job.Entry;
        if (result.JustCompleted) PushFileReceived(entry);
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

    private void OnFileChunk(ClientSession session, ReadOnlySpan<byte> payload)
    {
        if (!FileChunk.TryRead(payload, out ulong fileId, out ulong offset, out var data))
        {
            Fatal(session, Frame.NoRequest, ErrorCode.MalformedFrame, "malformed FILE_CHUNK payload");
            return;
        }
        if (session.State != SessionState.Authenticated)
        {
            Fatal(session, Frame.NoRequest, ErrorCode.UnexpectedFrame, "FILE_CHUNK before a login");
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
            Fatal(session, Frame.NoRequest, ErrorCode.UnexpectedFrame,
                $"FILE_CHUNK at {offset} with {data.Length} bytes breaks the upload's order or credit (next {upload.Next}, confirmed {upload.Confirmed}, credit up to {upload.Limit})");
            return;
        }
        upload.Next = end;
        _files.Post(new ChunkJob(this, upload, (long)offset, data));
    }

    internal void OnChunkCompleted(ChunkJob job)
    {
        var upload = job.Upload;
        bool current = _uploads.TryGetValue(upload.FileId, out var now) && ReferenceEquals(now, upload);
        if (job.Error is not null)
        {
            if (!current) return;
            _uploads.Remove(upload.FileId);
            PostReleaseUpload(upload.FileId);
            if (!upload.Session.IsClosed) SendError(upload.Session, Frame.NoRequest, ErrorCode.StorageFailure, job.Error.Message);
            return;
        }
        if (job.Outcome == WriteOutcome.Stale) return;
        if (job.Outcome == WriteOutcome.Complete) PushFileReceived(job.Entry);
        if (!current) return;

        var state = job.Outcome switch
        {
            WriteOutcome.Complete => FileState.Complete,
            WriteOutcome.Rejected => FileState.Rejected,
            _ => FileState.Uploading,
        };
        if (state == FileState.Uploading)
        {
            // Credit follows what the worker has written, so at most the credit waits in memory;
            // confirming (an fsync) is rarer and only says where a resume starts.
            upload.Written = job.End;
            bool confirmedMore = job.Confirmed > upload.Confirmed;
            bool creditDue = upload.Written + _files.Limits.Credit - upload.Limit >= CreditStep;
            if (!confirmedMore && !creditDue) return;
            upload.Confirmed = Math.Max(upload.Confirmed, job.Confirmed);
        }
        else
        {
            upload.Confirmed = job.Confirmed;
            _uploads.Remove(upload.FileId);
        }
        SendProgress(upload, state);
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

    private void OnFileSeal(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FileSeal.TryRead(payload, out var seal))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed FILE_SEAL payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        if (_uploads.TryGetValue(seal.FileId, out var upload) && ReferenceEquals(upload.Session, session) && upload.Next != upload.Size)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, $"FILE_SEAL before the last byte: {upload.Next} of {upload.Size} bytes were sent");
            return;
        }
        // Posted behind this connection's chunks, so the worker has written them when it checks.
        PostFile(session, new SealJob(this, session, requestId, session.UserNumber, seal));
    }

    internal void OnSealCompleted(SealJob job)
    {
        var session = job.Session;
        if (FileJobFailed(session, job.RequestId, job.Error)) return;
        if (job.Outcome is SealOutcome.Complete or SealOutcome.Rejected && _uploads.TryGetValue(job.FileId, out var upload) && ReferenceEquals(upload.Session, session))
        {
            _uploads.Remove(job.FileId);
        }
        if (job.Outcome == SealOutcome.Complete) PushFileReceived(job.Entry);
        if (session.IsClosed) return;
        switch (job.Outcome)
        {
            case SealOutcome.Complete or SealOutcome.AlreadyComplete:
                FileEntry.WriteList(session.Connection.Output, job.RequestId, [job.Entry]);
                session.Connection.Commit();
                return;
            case SealOutcome.Rejected:
                SendError(session, job.RequestId, ErrorCode.FileRejected, "the SHA-256 does not match the bytes the appliance received; the upload was deleted");
                return;
            case SealOutcome.DiffersFromComplete:
                SendError(session, job.RequestId, ErrorCode.FileRejected, "this upload was completed before with another SHA-256; it stays as it is");
                return;
            case SealOutcome.NotHashAtEnd:
                SendError(session, job.RequestId, ErrorCode.InvalidArgument, "this upload was offered with its SHA-256; there is nothing to seal");
                return;
            case SealOutcome.Incomplete:
                SendError(session, job.RequestId, ErrorCode.InvalidArgument, "the appliance does not have every byte of this upload; offer it again to resume");
                return;
            default:
                SendError(session, job.RequestId, ErrorCode.FileNotFound, $"no upload {job.FileId:x16} of yours");
                return;
        }
    }

    /// <summary>The worker confirmed an upload while idle (its tail fell due): tell the uploading connection.</summary>
    internal void OnUploadConfirmed(FileUpload upload, long confirmed)
    {
        if (!_uploads.TryGetValue(upload.FileId, out var now) || !ReferenceEquals(now, upload) || confirmed <= upload.Confirmed) return;
        upload.Confirmed = confirmed;
        SendProgress(upload, FileState.Uploading);
    }

    private void OnFileList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!UserNumber.TryRead(payload, out uint peer))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed FILE_LIST payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        // Always the asker's own files: nobody lists another's.
        PostFile(session, new ListFilesJob(this, session, requestId, session.UserNumber, (int)peer));
    }

    internal void OnListFilesCompleted(ListFilesJob job)
    {
        var session = job.Session;
        if (FileJobFailed(session, job.RequestId, job.Error) || session.IsClosed) return;
        FileEntry.WriteList(session.Connection.Output, job.RequestId, job.Entries);
        session.Connection.Commit();
    }

    private void PushFileReceived(in FileEntry entry)
    {
        _eventScratch.Consume(_eventScratch.Length);
        FileEntry.WriteReceived(_eventScratch, entry);
        Presence.PushToLive((int)entry.To, _eventScratch.Span);
    }

    /// <summary>A session went live (SYNC ended): it hears of complete files it has not downloaded yet.</summary>
    private void OnSessionLive(ClientSession session) => _files.Post(new UnfetchedJob(this, session, session.UserNumber));

    internal void OnUnfetchedCompleted(UnfetchedJob job)
    {
        var session = job.Session;
        if (session.IsClosed || job.Error is not null || !session.Live) return;
        foreach (var entry in job.Entries) FileEntry.WriteReceived(session.Connection.Output, entry);
        session.Connection.Commit();
    }

    /// <summary>A request's file job is back: true (and StorageFailure sent) when it failed.</summary>
    private bool FileJobFailed(ClientSession session, uint requestId, Exception? error)
    {
        OnJobFinished(session);
        if (error is null) return false;
        if (!session.IsClosed) SendError(session, requestId, ErrorCode.StorageFailure, StorageErrors.Describe(error));
        return true;
    }

    private void PostFile(ClientSession session, FileJob job)
    {
        session.InFlight++;
        if (session.InFlight >= _limits.MaxInFlight) session.Connection.PauseReading();
        _files.Post(job);
    }

    /// <summary>A closed connection's uploads and downloads end; the uploads stay on disk for a resume.</summary>
    private void OnFilesSessionClosed(ClientSession session)
    {
        List<ulong>? gone = null;
        foreach (var (id, u) in _uploads) if (ReferenceEquals(u.Session, session)) (gone ??= []).Add(id);
        if (gone is not null)
        {
            foreach (ulong id in gone)
            {
                _uploads.Remove(id);
                PostReleaseUpload(id);
            }
        }
        if (session.Downloads is { } downloads)
        {
            foreach (var d in downloads.Values) d.Cancelled = true;
            downloads.Clear();
        }
    }

    private void PostReleaseUpload(ulong id)
    {
        try
        {
            _files.Post(new ReleaseUploadJob(id));
        }
        catch (InvalidOperationException e)
        {
            // Shutting down: the store confirms every open upload as it closes.
            Log.Debug("files.release_skipped", e.Message);
        }
    }

    internal void SweepFiles()
    {
        try
        {
            _files.Post(new SweepJob());
        }
        catch (InvalidOperationException e)
        {
            Log.Debug("files.sweep_skipped", e.Message);
        }
    }
}

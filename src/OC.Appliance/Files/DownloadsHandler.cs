using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Files;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>
/// Downloads (docs/protocol.md, "Files"): FILE_LIST, FILE_GET and the FILE_DATA stream paced by
/// FILE_ACK, and the files waiting for a session that goes live. Reads are posted while the
/// connection has less than <see cref="OutputBudget"/> read ahead or unsent, and again whenever
/// the socket took everything: a download runs at the speed the client reads, never fills the
/// output to the slow-consumer cut, and does not wait for round trips. FILE_ACK bounds it
/// further: at most <see cref="Window"/> beyond the client's last acknowledgement. A room file
/// ("Room files") is listed and read only by a current member, which the room store (LiteDB,
/// the storage worker) says before the file worker is asked or the first byte is sent.
/// Loop thread only.
/// </summary>
internal sealed class DownloadsHandler
{
    /// <summary>
    /// How many bytes of a download may be sent and not yet acknowledged (FILE_ACK): what a client
    /// that stops reading its events may have to hold. Not what paces a download: that is
    /// <see cref="OutputBudget"/>, so the speed does not depend on the round trip.
    /// </summary>
    internal const int Window = 16 * 1024 * 1024;

    /// <summary>
    /// A connection's downloads keep at most this much read ahead or queued in its output; more is
    /// read each time the socket took everything (<see cref="OnOutputDrained"/>). The kernel's
    /// send buffer is the pipe; this only keeps it fed, far below the 4 MiB slow-consumer cut.
    /// </summary>
    internal const int OutputBudget = 1024 * 1024;

    internal const int MaxDownloadsPerConnection = 2;

    private readonly FileWorker _files;
    private readonly StorageWorker _storage;
    private readonly PresenceRegistry _presence;

    // Each connection's downloads by file id (a connection appears at its first FILE_GET).
    private readonly Dictionary<ClientSession, Dictionary<ulong, FileDownload>> _downloads = [];

    public DownloadsHandler(FileWorker files, StorageWorker storage, SessionEvents sessions, PresenceRegistry presence)
    {
        _files = files;
        _storage = storage;
        _presence = presence;
        sessions.WentLive += OnSessionLive;
        sessions.Ended += OnSessionEnded;
    }

    public void OnFileList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FileListRequest.TryRead(payload, out var request))
        {
            Replies.Malformed(session, requestId, "FILE_LIST");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        int user = session.UserNumber;
        if (request.Room)
        {
            if (!OcNumber.IsValid(request.Peer))
            {
                Replies.Error(session, requestId, ErrorCode.UnknownRoom, $"{request.Peer} is not a room id (six digits)");
                return;
            }
            // A room's files, for its members now: the same answer whether the room exists or not.
            _storage.Post(new RoomMemberCheckJob(session, requestId, user, (int)request.Peer, check =>
            {
                if (!check.Member)
                {
                    Replies.Error(session, requestId, ErrorCode.NotRoomMember, $"you are not a member of room #{check.RoomId:D6}");
                    return;
                }
                _files.Post(new ListFilesJob(session, requestId, user, 0, null, check.RoomId));
            }));
            return;
        }
        if (request.Peer != 0)
        {
            // Always the asker's own files: nobody lists another's.
            _files.Post(new ListFilesJob(session, requestId, user, (int)request.Peer, null, 0));
            return;
        }
        // Everything the asker may get: with the files of the rooms they are a member of now.
        _storage.Post(new RoomsOfJob(session, requestId, user, rooms => _files.Post(new ListFilesJob(session, requestId, user, 0, rooms.Rooms, 0))));
    }

    public void OnFileGet(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FilePosition.TryRead(payload, out ulong fileId, out ulong offset))
        {
            Replies.Malformed(session, requestId, "FILE_GET");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (_downloads.TryGetValue(session, out var downloads) && !downloads.ContainsKey(fileId) && downloads.Count >= MaxDownloadsPerConnection)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, $"at most {MaxDownloadsPerConnection} downloads at once per connection");
            return;
        }
        _files.Post(new GetFileJob(this, session, requestId, session.UserNumber, fileId, offset));
    }

    internal void OnFileFound(GetFileJob job)
    {
        var session = job.Session;
        // The same answer whether the file does not exist or is someone else's: nothing is revealed.
        if (job.Entry is not { } entry)
        {
            NotFound(session, job.RequestId, job.FileId);
            return;
        }
        if (job.Offset > entry.Size)
        {
            Replies.Error(session, job.RequestId, ErrorCode.InvalidArgument, $"offset {job.Offset} is beyond the file's {entry.Size} bytes");
            return;
        }
        if (entry.Room == 0)
        {
            Start(session, job.RequestId, entry, job.Offset, recipient: entry.To == (uint)job.User);
            return;
        }
        // A room file: only a member now reads it, its sender too (a non-member learns nothing, as
        // for a file that does not exist).
        ulong offset = job.Offset;
        _storage.Post(new RoomMemberCheckJob(session, job.RequestId, job.User, (int)entry.Room, check =>
        {
            if (!check.Member) NotFound(session, check.RequestId, entry.FileId);
            else Start(session, check.RequestId, entry, offset, recipient: false);
        }));
    }

    private static void NotFound(ClientSession session, uint requestId, ulong fileId) =>
        Replies.Error(session, requestId, ErrorCode.FileNotFound, $"no file {fileId:x16} for you");

    /// <summary>FILE_ENTRIES with the one file, then FILE_DATA from <paramref name="offset"/>; <paramref name="recipient"/>: its FILE_ACK to the end marks it fetched.</summary>
    private void Start(ClientSession session, uint requestId, FileEntry entry, ulong offset, bool recipient)
    {
        if (_downloads.TryGetValue(session, out var current) && !current.ContainsKey(entry.FileId) && current.Count >= MaxDownloadsPerConnection)
        {
            // Checked again: another FILE_GET may have started while a room's membership was asked.
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, $"at most {MaxDownloadsPerConnection} downloads at once per connection");
            return;
        }
        FileEntry.WriteList(session.Connection.Output, requestId, [entry]);
        session.Connection.Commit();

        if (!_downloads.TryGetValue(session, out var downloads)) _downloads.Add(session, downloads = []);
        if (downloads.Remove(entry.FileId, out var old)) old.Cancelled = true;
        if (offset == entry.Size) return;
        var download = new FileDownload(session, entry.FileId, (long)entry.Size, (long)offset, recipient);
        downloads.Add(entry.FileId, download);
        Pump(download, downloads);
    }

    public void OnFileAck(ClientSession session, ReadOnlySpan<byte> payload)
    {
        if (!FilePosition.TryRead(payload, out ulong fileId, out ulong offset))
        {
            Replies.Malformed(session, Frame.NoRequest, "FILE_ACK");
            return;
        }
        if (session.State != SessionState.Authenticated)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.UnexpectedFrame, "FILE_ACK before a login");
            return;
        }
        // An ACK for a download that ended (or was replaced) is late, not wrong.
        if (!_downloads.TryGetValue(session, out var downloads) || !downloads.TryGetValue(fileId, out var download)) return;
        download.Acked = Math.Max(download.Acked, Math.Min((long)offset, download.Next));
        if (download.Acked >= download.Size)
        {
            downloads.Remove(fileId);
            if (download.Recipient) _files.Post(new MarkFetchedJob(session.UserNumber, fileId));
            return;
        }
        Pump(download, downloads);
    }

    /// <summary>The socket took all pending output: read more for the connection's downloads.</summary>
    public void OnOutputDrained(ClientSession session)
    {
        if (!_downloads.TryGetValue(session, out var downloads) || downloads.Count == 0) return;
        foreach (var d in downloads.Values) Pump(d, downloads);
    }

    private void Pump(FileDownload d, Dictionary<ulong, FileDownload> downloads)
    {
        while (!d.Cancelled && d.Next < d.Size && d.Next - d.Acked < Window && QueuedBytes(d.Session, downloads) < OutputBudget)
        {
            int count = (int)Math.Min(ProtocolLimits.MaxFileChunkBytes, d.Size - d.Next);
            _files.Post(new ReadJob(this, d, d.Next, count));
            d.Next += count;
            d.BytesInFlight += count;
        }
    }

    /// <summary>Bytes a connection has read ahead for its downloads or not yet sent.</summary>
    private static long QueuedBytes(ClientSession session, Dictionary<ulong, FileDownload> downloads)
    {
        long queued = session.Connection.PendingOutputBytes;
        foreach (var d in downloads.Values) queued += d.BytesInFlight;
        return queued;
    }

    internal void OnRead(ReadJob job)
    {
        var d = job.Download;
        try
        {
            d.BytesInFlight -= job.Count;
            if (d.Cancelled || d.Session.IsClosed) return;
            if (job.Error is not null)
            {
                d.Cancelled = true;
                if (_downloads.TryGetValue(d.Session, out var downloads)) downloads.Remove(d.FileId);
                Replies.Error(d.Session, Frame.NoRequest, ErrorCode.StorageFailure, $"reading file {d.FileId:x16} failed: {job.Error.Message}");
                return;
            }
            FileChunk.Write(d.Session.Connection.Output, FrameType.FileData, d.FileId, (ulong)job.Offset, job.Data.AsSpan(0, job.Count));
            d.Session.Connection.Commit();
        }
        finally
        {
            job.Release();
        }
    }

    /// <summary>A session went live (SYNC ended): it hears of complete files it has not downloaded yet.</summary>
    private void OnSessionLive(ClientSession session) => _files.Post(new UnfetchedJob(session, session.UserNumber, _presence));

    /// <summary>A session's login ended: its downloads stop.</summary>
    private void OnSessionEnded(ClientSession session)
    {
        if (!_downloads.Remove(session, out var downloads)) return;
        foreach (var d in downloads.Values) d.Cancelled = true;
    }
}

using OC.Appliance.Files;
using OC.Appliance.Net;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Protocol;

/// <summary>
/// FILE_GET and the FILE_DATA stream. Reads are posted while the connection has less than
/// <see cref="DownloadOutputBudget"/> read ahead or unsent, and again whenever the socket took
/// everything: a download runs at the speed the client reads, never fills the output to the
/// slow-consumer cut, and does not wait for round trips. FILE_ACK bounds it further: at most
/// <see cref="DownloadWindow"/> beyond the client's last acknowledgement.
/// </summary>
internal sealed partial class RequestRouter
{
    private void OnFileGet(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FilePosition.TryRead(payload, out ulong fileId, out ulong offset))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed FILE_GET payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        if (session.Downloads is { } downloads && !downloads.ContainsKey(fileId) && downloads.Count >= MaxDownloadsPerConnection)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, $"at most {MaxDownloadsPerConnection} downloads at once per connection");
            return;
        }
        PostFile(session, new GetFileJob(this, session, requestId, session.UserNumber, fileId, offset));
    }

    internal void OnGetFileCompleted(GetFileJob job)
    {
        var session = job.Session;
        if (FileJobFailed(session, job.RequestId, job.Error) || session.IsClosed) return;
        // The same answer whether the file does not exist or is someone else's: nothing is revealed.
        if (job.Entry is not { } entry)
        {
            SendError(session, job.RequestId, ErrorCode.FileNotFound, $"no file {job.FileId:x16} for you");
            return;
        }
        if (job.Offset > entry.Size)
        {
            SendError(session, job.RequestId, ErrorCode.InvalidArgument, $"offset {job.Offset} is beyond the file's {entry.Size} bytes");
            return;
        }
        FileEntry.WriteList(session.Connection.Output, job.RequestId, [entry]);
        session.Connection.Commit();

        var downloads = session.Downloads ??= [];
        if (downloads.Remove(entry.FileId, out var old)) old.Cancelled = true;
        if (job.Offset == entry.Size) return;
        var download = new FileDownload(session, entry.FileId, (long)entry.Size, (long)job.Offset, entry.To == (uint)job.User);
        downloads.Add(entry.FileId, download);
        Pump(download);
    }

    private void OnFileAck(ClientSession session, ReadOnlySpan<byte> payload)
    {
        if (!FilePosition.TryRead(payload, out ulong fileId, out ulong offset))
        {
            Fatal(session, Frame.NoRequest, ErrorCode.MalformedFrame, "malformed FILE_ACK payload");
            return;
        }
        if (session.State != SessionState.Authenticated)
        {
            Fatal(session, Frame.NoRequest, ErrorCode.UnexpectedFrame, "FILE_ACK before a login");
            return;
        }
        // An ACK for a download that ended (or was replaced) is late, not wrong.
        if (session.Downloads?.GetValueOrDefault(fileId) is not { } download) return;
        download.Acked = Math.Max(download.Acked, Math.Min((long)offset, download.Next));
        if (download.Acked >= download.Size)
        {
            session.Downloads.Remove(fileId);
            if (download.Recipient) _files.Post(new MarkFetchedJob(session.UserNumber, fileId));
            return;
        }
        Pump(download);
    }

    private void Pump(FileDownload d)
    {
        while (!d.Cancelled && d.Next < d.Size && d.Next - d.Acked < DownloadWindow && QueuedDownloadBytes(d.Session) < DownloadOutputBudget)
        {
            int count = (int)Math.Min(ProtocolLimits.MaxFileChunkBytes, d.Size - d.Next);
            _files.Post(new ReadJob(this, d, d.Next, count));
            d.Next += count;
            d.BytesInFlight += count;
        }
    }

    /// <summary>Bytes a connection has read ahead for its downloads or not yet sent.</summary>
    private static long QueuedDownloadBytes(ClientSession session)
    {
        long queued = session.Connection.PendingOutputBytes;
        if (session.Downloads is { } downloads) foreach (var d in downloads.Values) queued += d.BytesInFlight;
        return queued;
    }

    public void OnOutputDrained(Connection connection)
    {
        if (connection.Session is not ClientSession { Downloads: { Count: > 0 } downloads }) return;
        foreach (var d in downloads.Values) Pump(d);
    }

    internal void OnReadCompleted(ReadJob job)
    {
        var d = job.Download;
        try
        {
            d.BytesInFlight -= job.Count;
            if (d.Cancelled || d.Session.IsClosed) return;
            if (job.Error is not null)
            {
                d.Cancelled = true;
                d.Session.Downloads?.Remove(d.FileId);
                SendError(d.Session, Frame.NoRequest, ErrorCode.StorageFailure, $"reading file {d.FileId:x16} failed: {job.Error.Message}");
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
}

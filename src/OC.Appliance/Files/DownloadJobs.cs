using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Files;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>
/// FILE_LIST: the asker's files (with one peer, or all, then with the files of <paramref name="rooms"/>),
/// or one room's (<paramref name="room"/>, the asker checked to be a member).
/// </summary>
internal sealed class ListFilesJob(ClientSession session, uint requestId, int user, int peer, IReadOnlySet<int>? rooms, int room)
    : RequestJob<FileStore>(session, requestId)
{
    private List<FileEntry> _entries = [];

    internal override void Execute(FileStore store) =>
        _entries = (room != 0 ? store.ListRoom(user, room) : store.List(user, peer, rooms)).ToEntries();

    protected override void OnCompleted()
    {
        FileEntry.WriteList(Session.Connection.Output, RequestId, _entries);
        Session.Connection.Commit();
    }
}

internal sealed class GetFileJob(DownloadsHandler handler, ClientSession session, uint requestId, int user, ulong fileId, ulong offset)
    : RequestJob<FileStore>(session, requestId)
{
    public ulong FileId => fileId;
    public ulong Offset => offset;
    public int User => user;
    public FileEntry? Entry { get; private set; }

    internal override void Execute(FileStore store)
    {
        var record = store.FindReadable(user, fileId);
        Entry = record?.ToEntry();
        if (record is not null && record.Size == 0 && record.To == user) store.MarkFetched(user, fileId);
    }

    protected override void OnCompleted() => handler.OnFileFound(this);
}

/// <summary>One FILE_DATA's worth of a download, read on the worker into a rented array.</summary>
internal sealed class ReadJob(DownloadsHandler handler, FileDownload download, long offset, int count) : WorkerJob<FileStore>
{
    public FileDownload Download => download;
    public long Offset => offset;
    public byte[] Data { get; private set; } = [];
    public int Count => count;

    internal override bool Writes => false;

    internal override void Execute(FileStore store)
    {
        Data = ChunkBuffers.Pool.Rent(count);
        store.Read(download.FileId, offset, Data.AsSpan(0, count));
    }

    internal override void Complete() => handler.OnRead(this);

    public void Release()
    {
        if (Data.Length > 0) ChunkBuffers.Pool.Return(Data);
        Data = [];
    }
}

/// <summary>At a session going live: the complete files to the user not yet downloaded, as FILE_RECEIVED.</summary>
internal sealed class UnfetchedJob(ClientSession session, int user, PresenceRegistry presence) : WorkerJob<FileStore>
{
    private List<FileEntry> _entries = [];

    internal override void Execute(FileStore store) => _entries = store.Unfetched(user).ToEntries();

    internal override void Complete()
    {
        if (session.IsClosed || Error is not null || !session.Live) return;
        foreach (var entry in _entries)
        {
            if (FileNotices.Announced(presence, entry)) FileEntry.WriteReceived(session.Connection.Output, entry);
        }
        session.Connection.Commit();
    }
}

internal sealed class MarkFetchedJob(int user, ulong fileId) : WorkerJob<FileStore>
{
    internal override void Execute(FileStore store) => store.MarkFetched(user, fileId);

    internal override void Complete() { }
}

using LiteDB;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using FileEntry = OC.Protocol.Messages.FileEntry;

namespace OC.Appliance.Files;

/// <summary>
/// Whether <paramref name="user"/> is a member of <paramref name="roomId"/> now, asked of the room
/// store (LiteDB, the storage worker) before a room file is offered, listed or read: membership
/// lives there, not with the files. Read-only; then <paramref name="then"/> on the loop (only while
/// the session is open: a closed one gets nothing, and nothing was started for it).
/// </summary>
internal sealed class RoomMemberCheckJob(ClientSession session, uint requestId, int user, int roomId, Action<RoomMemberCheckJob> then)
    : RequestJob<LiteDatabase>(session, requestId)
{
    public int RoomId => roomId;
    public bool Member { get; private set; }

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db) => Member = RoomStore.IsMember(db, roomId, user);

    protected override void OnCompleted() => then(this);
}

/// <summary>The rooms <paramref name="user"/> is a member of now (FILE_LIST without a peer lists their files too).</summary>
internal sealed class RoomsOfJob(ClientSession session, uint requestId, int user, Action<RoomsOfJob> then)
    : RequestJob<LiteDatabase>(session, requestId)
{
    public HashSet<int> Rooms { get; private set; } = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db) => Rooms = [.. RoomStore.RoomsOf(db, user)];

    protected override void OnCompleted() => then(this);
}

/// <summary>The members of a room whose file was just sealed: who hears of it (FILE_RECEIVED).</summary>
internal sealed class RoomFileMembersJob(RoomFileNotices notices, FileEntry entry, ClientSession? uploader) : StorageJob
{
    public FileEntry Entry => entry;

    /// <summary>The session that completed the upload: it has the reply (or FILE_PROGRESS) instead.</summary>
    public ClientSession? Uploader => uploader;

    public List<int> Members { get; private set; } = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db) => Members = RoomStore.MembersOf(db, (int)entry.Room);

    internal override void Complete() => notices.OnMembers(this);
}

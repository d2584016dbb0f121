using System.Numerics;
using System.Text;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Rooms;

/// <summary>
/// ROOM_SEND: checked against the room's members when its turn in the log comes, staged, answered
/// SENT after the group's fsync, then pushed to the live sessions of the members it went to (as
/// they were at its seq, copied here on the worker). Pooled by <see cref="RoomMessagesHandler"/>
/// like the 1:1 SendJob.
/// </summary>
internal sealed class RoomSendJob(RoomMessagesHandler handler) : RequestJob<MessageLog>
{
    private readonly byte[] _id = new byte[16];
    private byte[] _text = [];
    private int _textLength;
    private int[] _members = [];

    public int From { get; private set; }
    public int RoomId { get; private set; }

    /// <summary>Null: the sender was not a member when the message's turn came.</summary>
    public AppendResult? Result { get; private set; }

    public ReadOnlySpan<byte> Id => _id;
    public ReadOnlySpan<byte> Text => _text.AsSpan(0, _textLength);

    /// <summary>The room's members at the message's seq (who it goes to).</summary>
    public ReadOnlySpan<int> Members => _members.AsSpan(0, MemberCount);

    public int MemberCount { get; private set; }

    // The members get the message even if the sender's connection closed after sending it.
    protected override bool ActsWhenClosed => true;

    public void Set(ClientSession session, uint requestId, int from, int roomId, ReadOnlySpan<byte> id, ReadOnlySpan<byte> text)
    {
        Bind(session, requestId);
        From = from;
        RoomId = roomId;
        id.CopyTo(_id);
        if (_text.Length < text.Length) _text = new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)text.Length))];
        text.CopyTo(_text);
        _textLength = text.Length;
    }

    public void Reset() => Unbind();

    internal override void Execute(MessageLog log)
    {
        MemberCount = 0;
        Result = log.AppendToRoom(From, RoomId, _id, Text, log.GroupTimeMs);
        if (Result is { Duplicate: false }) CopyMembers(log.Rooms.MembersOf(RoomId));
    }

    private void CopyMembers(ReadOnlySpan<int> members)
    {
        if (_members.Length < members.Length) _members = new int[(int)BitOperations.RoundUpToPowerOf2((uint)members.Length)];
        members.CopyTo(_members);
        MemberCount = members.Length;
    }

    protected override void OnCompleted() => handler.OnSent(this);

    protected override void OnFinished() => handler.Recycle(this);
}

/// <summary>
/// An entry of a room's stream that is not a member's message: a change of membership (after the
/// account database committed it) or a file. Not a request of its own: the change's request
/// is answered when this completes. <see cref="OnlyIfNeeded"/> (the start-up reconciliation) adds
/// a Joined or Left only where the log's membership still differs when its turn comes.
/// </summary>
internal sealed class RoomEntryJob(RoomMessageKind kind, int roomId, int actor, int subject, string text, Action<RoomEntryJob> completed,
    ulong fileId = 0, bool onlyIfNeeded = false) : WorkerJob<MessageLog>
{
    private readonly byte[] _text = Encoding.UTF8.GetBytes(text);
    private int[] _members = [];

    public RoomMessageKind Kind => kind;
    public int RoomId => roomId;
    public int Actor => actor;
    public int Subject => subject;
    public bool OnlyIfNeeded => onlyIfNeeded;
    public ReadOnlySpan<byte> Text => _text;
    public ulong FileId => fileId;

    /// <summary>Null when nothing was needed (<see cref="OnlyIfNeeded"/>).</summary>
    public AppendResult? Result { get; private set; }

    /// <summary>Whose span holds the entry: the members after it, and the subject of a Left or Kicked.</summary>
    public int[] Members => _members;

    internal override void Execute(MessageLog log)
    {
        Result = null;
        _members = [];
        if (onlyIfNeeded && log.Rooms.IsMember(roomId, subject) == (kind == RoomMessageKind.Joined)) return;
        Result = log.AppendRoomEntry(kind, roomId, actor, subject, fileId, _text, log.GroupTimeMs);
        var members = log.Rooms.MembersOf(roomId);
        bool gone = kind is RoomMessageKind.Left or RoomMessageKind.Kicked;
        _members = new int[members.Length + (gone ? 1 : 0)];
        members.CopyTo(_members);
        if (gone) _members[^1] = subject;
    }

    internal override void Complete() => completed(this);
}

/// <summary>ROOM_HISTORY: one page of the asker's span of a room, encoded as ROOM_HISTORY_PAGE on the worker.</summary>
internal sealed class RoomHistoryJob(ClientSession session, uint requestId, int user, int roomId, ulong beforeSeq, int limit)
    : RequestJob<MessageLog>(session, requestId)
{
    private readonly ByteBuffer _frame = new();

    public bool NotMember { get; private set; }

    internal override bool Writes => false;

    internal override void Execute(MessageLog log)
    {
        _frame.Consume(_frame.Length);
        if (log.RoomPage(user, roomId, beforeSeq, limit) is not { } page)
        {
            NotMember = true;
            return;
        }
        var writer = new RoomHistoryPageWriter(_frame, RequestId, (uint)roomId, page.More, page.Count);
        page.Read(ref writer);
        writer.End();
    }

    protected override void OnCompleted()
    {
        if (NotMember)
        {
            Replies.Error(Session, RequestId, ErrorCode.NotRoomMember, $"you are not a member of room #{roomId}");
            return;
        }
        Session.Connection.Output.Write(_frame.Span);
        Session.Connection.Commit();
    }

    protected override void OnFinished() => _frame.Release();
}

/// <summary>Start-up: the rooms' members as the log has them (step 1 of <see cref="RoomMessagesHandler.Reconcile"/>).</summary>
internal sealed class RoomSpansSnapshotJob(Action<HashSet<(int Room, int Member)>> completed, Action<Exception> failed) : WorkerJob<MessageLog>
{
    private readonly HashSet<(int, int)> _members = [];

    internal override bool Writes => false;

    internal override void Execute(MessageLog log)
    {
        _members.Clear();
        foreach (int room in log.Rooms.RoomIds)
        {
            foreach (int member in log.Rooms.MembersOf(room)) _members.Add((room, member));
        }
    }

    internal override void Complete()
    {
        if (Error is null) completed(_members);
        else
        {
            OC.Appliance.Diagnostics.Log.Error("rooms.reconcile", $"could not read the rooms' spans: {Error.Message}");
            failed(Error);
        }
    }
}

/// <summary>
/// Start-up: where the account database's members differ from the log's (a crash between the
/// two commits of a change), the subjects and their nicknames (step 2 of <see cref="RoomMessagesHandler.Reconcile"/>).
/// </summary>
internal sealed class RoomMembersDiffJob(HashSet<(int Room, int Member)> inLog, Action<List<(int Room, int Member, string Nick, bool Joined)>> completed,
    Action<Exception> failed)
    : WorkerJob<LiteDB.LiteDatabase>
{
    private readonly List<(int, int, string, bool)> _differences = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDB.LiteDatabase db)
    {
        _differences.Clear();
        var inDatabase = RoomStore.AllMembers(db);
        foreach (var pair in inDatabase)
        {
            if (!inLog.Contains(pair)) _differences.Add((pair.Room, pair.Member, AccountStore.FindUser(db, pair.Member)?.Nick ?? "", true));
        }
        foreach (var pair in inLog)
        {
            if (!inDatabase.Contains(pair)) _differences.Add((pair.Room, pair.Member, AccountStore.FindUser(db, pair.Member)?.Nick ?? "", false));
        }
    }

    internal override void Complete()
    {
        if (Error is null) completed(_differences);
        else
        {
            OC.Appliance.Diagnostics.Log.Error("rooms.reconcile", $"could not read the rooms' members: {Error.Message}");
            failed(Error);
        }
    }
}

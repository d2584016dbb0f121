using LiteDB;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;

namespace OC.Appliance.Rooms;

/// <summary>What a change to a room came to; each refusal is one ERROR (RoomsHandler.Refuse).</summary>
internal enum RoomResult
{
    Done,
    UnknownRoom,
    UnknownUser,
    NotMember,
    TargetNotMember,
    NotOwner,
    AlreadyMember,
    NotInvited,
    InvitePending,
    NotFriends,
    RoomFull,
    TooManyRooms,
    OwnerMustHandOver,
    NoFreeId,
}

/// <summary>The changes to a room's membership; one job kind with an operation, as they share their checks and results.</summary>
internal enum RoomOp { Create, Invite, Accept, Decline, Join, Leave, Kick, Owner }

/// <summary>
/// A change to rooms (ROOM_CREATE, ROOM_INVITE, ROOM_RESPOND, ROOM_JOIN, ROOM_LEAVE, ROOM_KICK,
/// ROOM_OWNER), checked and written in one transaction, so two racing requests cannot both take a
/// room's last seat or both become owner. Committed before anyone hears of it; the handler then
/// answers and pushes the events to the members it returns.
/// </summary>
internal sealed class RoomChangeJob(RoomsHandler handler, ClientSession session, uint requestId, RoomOp op, int me,
    int roomId, int target, string name, bool open, RoomLimits limits, DateTime nowUtc, AccountCounters counters)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private int _roomsDelta;

    public RoomOp Op => op;
    public int MeNumber => me;
    public int RoomId => roomId;
    public int Target => target;
    public DateTime TimeUtc => nowUtc;

    public RoomResult Result { get; private set; }

    /// <summary>The room after the change (before it, for a room deleted by its last member leaving).</summary>
    public RoomRecord? Room { get; private set; }

    /// <summary>The members after the change, ordered by OC number: who hears of it.</summary>
    public List<int> Members { get; } = [];

    public string MeNick { get; private set; } = "";
    public string TargetNick { get; private set; } = "";

    /// <summary>Who invited the one who accepted (the actor of their "joined" event).</summary>
    public int Inviter { get; private set; }

    internal override void Execute(LiteDatabase db)
    {
        // Execute may run twice (a group re-run one by one): start from nothing each time.
        _roomsDelta = 0;
        Members.Clear();
        Room = null;
        Inviter = 0;
        Result = Change(db);
        if (Result != RoomResult.Done || Room is null) return;
        Members.AddRange(RoomStore.MembersOf(db, Room.Id));
        MeNick = AccountStore.FindUser(db, me)?.Nick ?? "";
        if (target != 0) TargetNick = AccountStore.FindUser(db, target)?.Nick ?? "";
    }

    private RoomResult Change(LiteDatabase db)
    {
        if (op == RoomOp.Create)
        {
            if (RoomStore.CountRoomsOf(db, me) >= limits.MaxRoomsPerUser) return RoomResult.TooManyRooms;
            Room = RoomStore.Create(db, name, me, open, nowUtc);
            if (Room is null) return RoomResult.NoFreeId;
            _roomsDelta = 1;
            return RoomResult.Done;
        }

        var room = RoomStore.Find(db, roomId);
        if (op is RoomOp.Accept or RoomOp.Decline) return Respond(db, room);
        if (room is null) return RoomResult.UnknownRoom;
        Room = room;
        bool member = RoomStore.IsMember(db, room.Id, me);
        if (op == RoomOp.Join) return Join(db, room, member);
        if (!member) return RoomResult.NotMember;

        switch (op)
        {
            case RoomOp.Invite:
                if (AccountStore.FindUser(db, target) is null) return RoomResult.UnknownUser;
                if (RoomStore.IsMember(db, room.Id, target)) return RoomResult.AlreadyMember;
                // Friends only: an invitation is not a way to reach someone who never agreed to hear from you.
                if (!FriendStore.AreFriends(db, me, target)) return RoomResult.NotFriends;
                if (RoomStore.IsInvited(db, room.Id, target)) return RoomResult.InvitePending;
                if (RoomStore.CountMembers(db, room.Id) >= limits.MaxMembers) return RoomResult.RoomFull;
                RoomStore.Invite(db, room.Id, me, target, nowUtc);
                return RoomResult.Done;
            case RoomOp.Leave:
                if (room.Owner == me && RoomStore.CountMembers(db, room.Id) > 1) return RoomResult.OwnerMustHandOver;
                if (RoomStore.RemoveMember(db, room.Id, me)) _roomsDelta = -1;
                return RoomResult.Done;
            case RoomOp.Kick:
            case RoomOp.Owner:
                if (room.Owner != me) return RoomResult.NotOwner;
                if (!RoomStore.IsMember(db, room.Id, target)) return RoomResult.TargetNotMember;
                if (op == RoomOp.Kick) RoomStore.RemoveMember(db, room.Id, target);
                else
                {
                    RoomStore.SetOwner(db, room, target);
                    Room = room with { Owner = target };
                }
                return RoomResult.Done;
            default:
                throw new InvalidOperationException($"unexpected room operation {op}");
        }
    }

    private RoomResult Join(LiteDatabase db, RoomRecord room, bool member)
    {
        if (member) return RoomResult.AlreadyMember;
        bool invited = RoomStore.IsInvited(db, room.Id, me);
        if (!room.Open && !invited) return RoomResult.NotInvited;
        if (RoomStore.CountRoomsOf(db, me) >= limits.MaxRoomsPerUser) return RoomResult.TooManyRooms;
        if (RoomStore.CountMembers(db, room.Id) >= limits.MaxMembers) return RoomResult.RoomFull;
        if (invited) Inviter = RoomStore.RemoveInvite(db, room.Id, me);
        RoomStore.AddMember(db, room.Id, me, nowUtc);
        return RoomResult.Done;
    }

    private RoomResult Respond(LiteDatabase db, RoomRecord? room)
    {
        // A deleted room took its invitations with it: there is nothing to answer.
        if (room is null || !RoomStore.IsInvited(db, room.Id, me)) return RoomResult.NotInvited;
        Room = room;
        if (op == RoomOp.Decline)
        {
            RoomStore.RemoveInvite(db, room.Id, me);
            return RoomResult.Done;
        }
        // The limits first: a refused acceptance leaves the invitation standing, to try again later.
        if (RoomStore.CountRoomsOf(db, me) >= limits.MaxRoomsPerUser) return RoomResult.TooManyRooms;
        if (RoomStore.CountMembers(db, room.Id) >= limits.MaxMembers) return RoomResult.RoomFull;
        Inviter = RoomStore.RemoveInvite(db, room.Id, me);
        RoomStore.AddMember(db, room.Id, me, nowUtc);
        return RoomResult.Done;
    }

    internal override void OnDurable()
    {
        if (_roomsDelta != 0) counters.AddRooms(_roomsDelta);
    }

    // The room's stream must follow the database even when the asker has gone (RoomsHandler.OnChanged).
    protected override bool ActsWhenClosed => true;

    protected override void OnCompleted() => handler.OnChanged(this);
}

/// <summary>ROOM_LIST: the rooms of a user with their member counts.</summary>
internal sealed class RoomListJob(RoomsHandler handler, ClientSession session, uint requestId, int me)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private readonly List<(RoomRecord Room, int Members)> _rooms = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        _rooms.Clear();
        foreach (int id in RoomStore.RoomsOf(db, me))
        {
            if (RoomStore.Find(db, id) is { } room) _rooms.Add((room, RoomStore.CountMembers(db, id)));
        }
    }

    protected override void OnCompleted() => handler.OnListLoaded(Session, RequestId, _rooms);
}

/// <summary>ROOM_MEMBERS: a room's members with nicknames, for a member only; presence is added on the loop.</summary>
internal sealed class RoomMembersJob(RoomsHandler handler, ClientSession session, uint requestId, int me, int roomId)
    : RequestJob<LiteDatabase>(session, requestId)
{
    public RoomResult Result { get; private set; }
    public RoomRecord? Room { get; private set; }
    public int RoomId => roomId;
    public List<(int Number, string Nick)> Members { get; } = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        Members.Clear();
        Room = RoomStore.Find(db, roomId);
        if (Room is null) { Result = RoomResult.UnknownRoom; return; }
        if (!RoomStore.IsMember(db, roomId, me)) { Result = RoomResult.NotMember; return; }
        foreach (int number in RoomStore.MembersOf(db, roomId))
        {
            Members.Add((number, AccountStore.FindUser(db, number)?.Nick ?? ""));
        }
        Result = RoomResult.Done;
    }

    protected override void OnCompleted() => handler.OnMembersLoaded(this);
}

/// <summary>ROOM_INVITATIONS: the invitations to a user, with the room's name and the inviter's nickname.</summary>
internal sealed class RoomInvitationsJob(RoomsHandler handler, ClientSession session, uint requestId, int me)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private readonly List<(int Room, string RoomName, int From, string FromNick, DateTime CreatedUtc)> _invitations = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        _invitations.Clear();
        foreach (var (id, from, created) in RoomStore.InvitesTo(db, me, OC.Protocol.ProtocolLimits.MaxRelationEntries))
        {
            if (RoomStore.Find(db, id) is not { } room) continue;
            _invitations.Add((id, room.Name, from, AccountStore.FindUser(db, from)?.Nick ?? "", created));
        }
    }

    protected override void OnCompleted() => handler.OnInvitationsLoaded(Session, RequestId, _invitations);
}

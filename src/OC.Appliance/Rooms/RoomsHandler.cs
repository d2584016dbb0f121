using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Appliance.Storage.Messages;

namespace OC.Appliance.Rooms;

/// <summary>
/// Rooms: ROOM_CREATE, ROOM_INVITE, ROOM_RESPOND, ROOM_INVITATIONS, ROOM_JOIN, ROOM_LEAVE, ROOM_KICK,
/// ROOM_OWNER, ROOM_LIST, ROOM_MEMBERS and the ROOM_INVITATION / ROOM_EVENT events (docs/protocol.md,
/// "Rooms"). Every change is committed before anyone hears of it; then the one who asked gets the
/// reply and every session of every member (and of the one who left or was kicked) the ROOM_EVENT.
/// Loop thread only.
/// </summary>
internal sealed class RoomsHandler(StorageWorker storage, PresenceRegistry presence, RateLimits limits, TimeProvider time, RoomLimits roomLimits,
    RoomMessagesHandler stream)
{
    public RoomLimits Limits => roomLimits;

    public void OnCreate(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!RoomCreate.TryRead(payload, out var create)) { Replies.Malformed(session, requestId, "ROOM_CREATE"); return; }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (!TextRules.TryValidateRoomName(create.Name, out string name, out string error))
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, error);
            return;
        }
        Post(session, requestId, RoomOp.Create, 0, 0, name, create.Open);
    }

    public void OnInvite(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) =>
        OnAboutUser(session, requestId, payload, RoomOp.Invite, "ROOM_INVITE", "you are a member of your rooms already");

    public void OnKick(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) =>
        OnAboutUser(session, requestId, payload, RoomOp.Kick, "ROOM_KICK", "you cannot kick yourself; leave the room instead (ROOM_LEAVE)");

    public void OnOwner(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) =>
        OnAboutUser(session, requestId, payload, RoomOp.Owner, "ROOM_OWNER", "you own this room already");

    public void OnRespond(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!RoomRespond.TryRead(payload, out var respond)) { Replies.Malformed(session, requestId, "ROOM_RESPOND"); return; }
        if (!TryCheckRoom(session, requestId, respond.RoomId)) return;
        Post(session, requestId, respond.Accept ? RoomOp.Accept : RoomOp.Decline, (int)respond.RoomId, 0);
    }

    public void OnJoin(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) => OnAboutRoom(session, requestId, payload, RoomOp.Join, "ROOM_JOIN");

    public void OnLeave(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) => OnAboutRoom(session, requestId, payload, RoomOp.Leave, "ROOM_LEAVE");

    public void OnList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, requestId, "ROOM_LIST"); return; }
        if (!Replies.RequireLogin(session, requestId)) return;
        storage.Post(new RoomListJob(this, session, requestId, session.UserNumber));
    }

    public void OnInvitations(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, requestId, "ROOM_INVITATIONS"); return; }
        if (!Replies.RequireLogin(session, requestId)) return;
        storage.Post(new RoomInvitationsJob(this, session, requestId, session.UserNumber));
    }

    public void OnMembers(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!RoomRequest.TryRead(payload, out uint roomId)) { Replies.Malformed(session, requestId, "ROOM_MEMBERS"); return; }
        if (!TryCheckRoom(session, requestId, roomId)) return;
        storage.Post(new RoomMembersJob(this, session, requestId, session.UserNumber, (int)roomId));
    }

    /// <summary>
    /// The change is committed: a change of membership goes into the room's stream first (the
    /// log's spans then follow it, and the members see the entry), and only then is it answered and
    /// announced. Runs even when the asker's connection closed: the stream must follow the database.
    /// </summary>
    internal void OnChanged(RoomChangeJob job)
    {
        if (job.Result != RoomResult.Done)
        {
            if (!job.Session.IsClosed) Refuse(job.Session, job.RequestId, job.Result, job.RoomId, job.Target);
            return;
        }
        var room = job.Room!;
        int me = job.MeNumber;
        var entry = job.Op switch
        {
            RoomOp.Create => (RoomMessageKind.Joined, me, me, job.MeNick),
            RoomOp.Accept or RoomOp.Join => (RoomMessageKind.Joined, job.Inviter != 0 ? job.Inviter : me, me, job.MeNick),
            RoomOp.Leave => (RoomMessageKind.Left, me, me, job.MeNick),
            RoomOp.Kick => (RoomMessageKind.Kicked, me, job.Target, job.TargetNick),
            RoomOp.Owner => (RoomMessageKind.OwnerChanged, me, job.Target, job.TargetNick),
            _ => ((RoomMessageKind, int, int, string)?)null,
        };
        if (entry is var (kind, actor, subject, nick)) stream.Append(kind, room.Id, actor, subject, nick, then: _ => Answer(job));
        else Answer(job);
    }

    /// <summary>The reply to the one who asked (if still connected) and the ROOM_EVENT and invitation pushes.</summary>
    private void Answer(RoomChangeJob job)
    {
        var session = job.Session;
        var room = job.Room!;
        int me = job.MeNumber;
        switch (job.Op)
        {
            case RoomOp.Create:
                ReplyInfo(session, job.RequestId, Info(room, job.Members.Count));
                Log.Info("rooms.created", $"{me} created room {room.Id}");
                return;
            case RoomOp.Invite:
                ReplyOk(session, job.RequestId);
                var invitation = new RoomInvitation((uint)room.Id, room.Name, (uint)me, job.MeNick,
                    new DateTimeOffset(job.TimeUtc).ToUnixTimeMilliseconds());
                presence.Push(job.Target, buf => RoomInvitation.WriteEvent(buf, invitation));
                return;
            case RoomOp.Decline:
                // The inviter is not told, as with a declined friend request.
                ReplyOk(session, job.RequestId);
                return;
            case RoomOp.Accept:
            case RoomOp.Join:
                ReplyInfo(session, job.RequestId, Info(room, job.Members.Count));
                Announce(job, new RoomEvent((uint)room.Id, room.Name, RoomEventKind.Joined, (uint)me, job.MeNick,
                    (uint)(job.Inviter != 0 ? job.Inviter : me)), except: session);
                return;
            case RoomOp.Leave:
                ReplyOk(session, job.RequestId);
                var left = new RoomEvent((uint)room.Id, room.Name, RoomEventKind.Left, (uint)me, job.MeNick, (uint)me);
                Announce(job, left, except: session);
                presence.Push(me, buf => RoomEvent.Write(buf, left), except: session);
                return;
            case RoomOp.Kick:
                ReplyOk(session, job.RequestId);
                var kicked = new RoomEvent((uint)room.Id, room.Name, RoomEventKind.Kicked, (uint)job.Target, job.TargetNick, (uint)me);
                Announce(job, kicked, except: session);
                // The one kicked is no longer a member: told here, and of nothing in the room from now on.
                presence.Push(job.Target, buf => RoomEvent.Write(buf, kicked));
                return;
            case RoomOp.Owner:
                ReplyOk(session, job.RequestId);
                Announce(job, new RoomEvent((uint)room.Id, room.Name, RoomEventKind.OwnerChanged, (uint)job.Target, job.TargetNick, (uint)me), except: session);
                return;
        }
    }

    // The asker may have gone while the change was stored: the change stands, the reply is dropped.
    private static void ReplyOk(ClientSession session, uint requestId)
    {
        if (!session.IsClosed) Replies.Ok(session, requestId);
    }

    private static void ReplyInfo(ClientSession session, uint requestId, RoomInfo info)
    {
        if (session.IsClosed) return;
        RoomInfo.Write(session.Connection.Output, requestId, info);
        session.Connection.Commit();
    }

    internal void OnListLoaded(ClientSession session, uint requestId, List<(RoomRecord Room, int Members)> rooms)
    {
        RoomInfo.WriteList(session.Connection.Output, requestId, rooms.Select(r => Info(r.Room, r.Members)).ToList());
        session.Connection.Commit();
    }

    internal void OnMembersLoaded(RoomMembersJob job)
    {
        if (job.Result != RoomResult.Done)
        {
            Refuse(job.Session, job.RequestId, job.Result, job.RoomId, 0);
            return;
        }
        var members = job.Members.Select(m => new RoomMember((uint)m.Number, m.Nick, presence.IsOnline(m.Number), m.Number == job.Room!.Owner)).ToList();
        RoomMemberList.Write(job.Session.Connection.Output, job.RequestId, (uint)job.RoomId, members);
        job.Session.Connection.Commit();
    }

    internal void OnInvitationsLoaded(ClientSession session, uint requestId, List<(int Room, string RoomName, int From, string FromNick, DateTime CreatedUtc)> invitations)
    {
        var entries = invitations.Select(i => new RoomInvitation((uint)i.Room, i.RoomName, (uint)i.From, i.FromNick,
            new DateTimeOffset(i.CreatedUtc).ToUnixTimeMilliseconds())).ToList();
        RoomInvitation.WriteList(session.Connection.Output, requestId, entries);
        session.Connection.Commit();
    }

    /// <summary>The event to every session of every member after the change, but the one that asked (it has the reply).</summary>
    private void Announce(RoomChangeJob job, RoomEvent e, ClientSession except)
    {
        foreach (int member in job.Members) presence.Push(member, buf => RoomEvent.Write(buf, e), except: except);
    }

    private static RoomInfo Info(RoomRecord room, int members) =>
        new((uint)room.Id, room.Name, (uint)room.Owner, room.Open, (ushort)Math.Min(members, ushort.MaxValue));

    private void Refuse(ClientSession session, uint requestId, RoomResult result, int roomId, int target)
    {
        var (code, text) = result switch
        {
            RoomResult.UnknownRoom => (ErrorCode.UnknownRoom, $"there is no room #{roomId}"),
            RoomResult.UnknownUser => (ErrorCode.UnknownUser, $"no user has OC number {target}"),
            RoomResult.NotMember => (ErrorCode.NotRoomMember, $"you are not a member of room #{roomId}"),
            RoomResult.TargetNotMember => (ErrorCode.NotRoomMember, $"{target} is not a member of room #{roomId}"),
            RoomResult.NotOwner => (ErrorCode.NotRoomOwner, $"only the owner of room #{roomId} may do that"),
            RoomResult.AlreadyMember => (ErrorCode.AlreadyRoomMember, target != 0
                ? $"{target} is a member of room #{roomId} already" : $"you are a member of room #{roomId} already"),
            RoomResult.NotInvited => (ErrorCode.NotInvited, $"room #{roomId} is by invitation only, and no invitation to it waits for you"),
            RoomResult.InvitePending => (ErrorCode.RequestPending, $"an invitation to room #{roomId} waits for {target} already"),
            RoomResult.NotFriends => (ErrorCode.NotFriends, $"{target} is not your friend; you can invite friends only"),
            RoomResult.RoomFull => (ErrorCode.RoomFull, $"room #{roomId} is full ({roomLimits.MaxMembers} members)"),
            RoomResult.TooManyRooms => (ErrorCode.TooManyRooms, $"you are a member of {roomLimits.MaxRoomsPerUser} rooms, the most allowed; leave one first"),
            RoomResult.OwnerMustHandOver => (ErrorCode.InvalidArgument, $"you own room #{roomId}: give it to another member first, or remove the others"),
            RoomResult.NoFreeId => (ErrorCode.ServerFull, "no room id is free"),
            _ => (ErrorCode.InvalidArgument, result.ToString()),
        };
        Replies.Error(session, requestId, code, text);
    }

    private void OnAboutUser(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, RoomOp op, string frameName, string selfError)
    {
        if (!RoomRequest.TryRead(payload, out uint roomId, out uint number)) { Replies.Malformed(session, requestId, frameName); return; }
        if (!TryCheckRoom(session, requestId, roomId)) return;
        if (!OcNumber.IsValid(number))
        {
            Replies.Error(session, requestId, ErrorCode.UnknownUser, $"{number} is not an OC number (six digits)");
            return;
        }
        if (number == session.UserNumber)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, selfError);
            return;
        }
        // Invitations cost the invited attention, as friend requests do: the same limit.
        if (op == RoomOp.Invite && !Replies.WithinRate(session, requestId, limits, RateKind.FriendRequest)) return;
        Post(session, requestId, op, (int)roomId, (int)number);
    }

    private void OnAboutRoom(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, RoomOp op, string frameName)
    {
        if (!RoomRequest.TryRead(payload, out uint roomId)) { Replies.Malformed(session, requestId, frameName); return; }
        if (!TryCheckRoom(session, requestId, roomId)) return;
        Post(session, requestId, op, (int)roomId, 0);
    }

    private void Post(ClientSession session, uint requestId, RoomOp op, int roomId, int target, string name = "", bool open = false) =>
        storage.Post(new RoomChangeJob(this, session, requestId, op, session.UserNumber, roomId, target, name, open,
            roomLimits, time.GetUtcNow().UtcDateTime, storage.Counters));

    /// <summary>Logged in, and a room id of six digits (else NOT_AUTHENTICATED or UNKNOWN_ROOM): every room request's first check.</summary>
    internal static bool TryCheckRoom(ClientSession session, uint requestId, uint roomId)
    {
        if (!Replies.RequireLogin(session, requestId)) return false;
        if (OcNumber.IsValid(roomId)) return true;
        Replies.Error(session, requestId, ErrorCode.UnknownRoom, $"{roomId} is not a room id (six digits)");
        return false;
    }
}

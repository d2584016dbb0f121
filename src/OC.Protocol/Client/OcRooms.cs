using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// The room requests of docs/protocol.md, "Rooms" (ROOM_CREATE, ROOM_INVITE, ROOM_RESPOND,
/// ROOM_INVITATIONS, ROOM_JOIN, ROOM_LEAVE, ROOM_KICK, ROOM_OWNER, ROOM_LIST, ROOM_MEMBERS), one call
/// each. Errors as in <see cref="OcAccounts"/>.
/// </summary>
public static class OcRooms
{
    /// <summary>ROOM_CREATE: the new room, you its owner and only member.</summary>
    public static async Task<RoomInfo> CreateAsync(OcConnection connection, string name, bool open, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => RoomCreate.Write(b, id, new RoomCreate(name, open)), cancellationToken).ConfigureAwait(false);
        return ExpectInfo(reply, "ROOM_CREATE");
    }

    /// <summary>ROOM_INVITE: an invitation now waits for the friend <paramref name="ocNumber"/>.</summary>
    public static Task InviteAsync(OcConnection connection, uint roomId, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.RoomInvite, roomId, ocNumber, "ROOM_INVITE", cancellationToken);

    /// <summary>ROOM_KICK (owner only): the member is out and hears nothing more of the room.</summary>
    public static Task KickAsync(OcConnection connection, uint roomId, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.RoomKick, roomId, ocNumber, "ROOM_KICK", cancellationToken);

    /// <summary>ROOM_OWNER (owner only): another member owns the room from now on.</summary>
    public static Task GiveAsync(OcConnection connection, uint roomId, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.RoomOwner, roomId, ocNumber, "ROOM_OWNER", cancellationToken);

    /// <summary>ROOM_RESPOND accepting: the room you are a member of now.</summary>
    public static async Task<RoomInfo> AcceptAsync(OcConnection connection, uint roomId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => RoomRespond.Write(b, id, new RoomRespond(roomId, Accept: true)), cancellationToken).ConfigureAwait(false);
        return ExpectInfo(reply, "ROOM_RESPOND");
    }

    /// <summary>ROOM_RESPOND declining: the invitation is gone; the inviter is not told.</summary>
    public static async Task DeclineAsync(OcConnection connection, uint roomId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => RoomRespond.Write(b, id, new RoomRespond(roomId, Accept: false)), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, "ROOM_RESPOND");
    }

    /// <summary>ROOM_JOIN: an open room, or one whose invitation waits for you.</summary>
    public static async Task<RoomInfo> JoinAsync(OcConnection connection, uint roomId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => RoomRequest.Write(b, FrameType.RoomJoin, id, roomId), cancellationToken).ConfigureAwait(false);
        return ExpectInfo(reply, "ROOM_JOIN");
    }

    public static async Task LeaveAsync(OcConnection connection, uint roomId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => RoomRequest.Write(b, FrameType.RoomLeave, id, roomId), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, "ROOM_LEAVE");
    }

    /// <summary>ROOM_LIST: the rooms you are a member of, by id.</summary>
    public static async Task<List<RoomInfo>> ListAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.RoomList, id), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Rooms, "ROOM_LIST");
        if (!RoomInfo.TryReadList(reply.Payload, out var rooms)) throw OcAccounts.Malformed(reply);
        return rooms;
    }

    /// <summary>ROOM_INVITATIONS: the invitations waiting for your answer, oldest first.</summary>
    public static async Task<List<RoomInvitation>> InvitationsAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.RoomInvitations, id), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.RoomInvitationList, "ROOM_INVITATIONS");
        if (!RoomInvitation.TryReadList(reply.Payload, out var invitations)) throw OcAccounts.Malformed(reply);
        return invitations;
    }

    /// <summary>ROOM_MEMBERS (members only): the members by OC number, with presence and the owner marked.</summary>
    public static async Task<List<RoomMember>> MembersAsync(OcConnection connection, uint roomId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => RoomRequest.Write(b, FrameType.RoomMembers, id, roomId), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.RoomMemberList, "ROOM_MEMBERS");
        if (!RoomMemberList.TryRead(reply.Payload, out _, out var members)) throw OcAccounts.Malformed(reply);
        return members;
    }

    private static async Task ChangeAsync(OcConnection connection, FrameType type, uint roomId, uint ocNumber, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => RoomRequest.Write(b, type, id, roomId, ocNumber), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, name);
    }

    private static RoomInfo ExpectInfo(ReceivedFrame reply, string name)
    {
        OcAccounts.Expect(reply, FrameType.RoomInfo, name);
        if (!RoomInfo.TryRead(reply.Payload, out var room)) throw OcAccounts.Malformed(reply);
        return room;
    }
}

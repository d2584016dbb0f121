using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// The friends and presence requests of docs/protocol.md (FIND_USER, FRIEND_ADD, FRIEND_REMOVE,
/// FRIEND_LIST, ONLINE_LIST, FRIEND_RESPOND, FRIEND_REQUESTS, BLOCK, UNBLOCK, BLOCK_LIST), one
/// call each. Errors as in <see cref="OcAccounts"/>.
/// </summary>
public static class OcFriends
{
    public static async Task<UserCard> FindAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FindUser, id, ocNumber), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.UserCard, "FIND_USER");
        if (!UserCard.TryRead(reply.Payload, out var card)) throw OcAccounts.Malformed(reply);
        return card;
    }

    /// <summary>
    /// FRIEND_ADD: the card of the user asked, with <c>Friend</c> true when you are friends now (they
    /// had asked you, or the appliance runs with --friends open) and false when a request now waits
    /// for them to accept.
    /// </summary>
    public static async Task<UserCard> AddAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FriendAdd, id, ocNumber), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.UserCard, "FRIEND_ADD");
        if (!UserCard.TryRead(reply.Payload, out var card)) throw OcAccounts.Malformed(reply);
        return card;
    }

    /// <summary>FRIEND_REMOVE: ends a friendship, or withdraws your request that is still waiting.</summary>
    public static Task RemoveAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.FriendRemove, ocNumber, "FRIEND_REMOVE", cancellationToken);

    /// <summary>FRIEND_RESPOND with accept: the new friend's card.</summary>
    public static async Task<UserCard> AcceptAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => FriendRespond.Write(b, id, new FriendRespond(ocNumber, Accept: true)), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.UserCard, "FRIEND_RESPOND");
        if (!UserCard.TryRead(reply.Payload, out var card)) throw OcAccounts.Malformed(reply);
        return card;
    }

    /// <summary>FRIEND_RESPOND with decline: the request is gone; the asker is not told.</summary>
    public static async Task DeclineAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => FriendRespond.Write(b, id, new FriendRespond(ocNumber, Accept: false)), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, "FRIEND_RESPOND");
    }

    /// <summary>FRIEND_REQUESTS: the requests to you (<c>Outgoing</c> false), then yours, each oldest first.</summary>
    public static async Task<List<FriendRequestEntry>> RequestsAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.FriendRequests, id), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.FriendRequestList, "FRIEND_REQUESTS");
        if (!FriendRequestEntry.TryReadList(reply.Payload, out var entries)) throw OcAccounts.Malformed(reply);
        return entries;
    }

    public static Task BlockAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.Block, ocNumber, "BLOCK", cancellationToken);

    public static Task UnblockAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.Unblock, ocNumber, "UNBLOCK", cancellationToken);

    /// <summary>BLOCK_LIST: whom you block, ordered by OC number.</summary>
    public static async Task<List<BlockedUser>> BlockedAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.BlockList, id), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.BlockedUsers, "BLOCK_LIST");
        if (!BlockedUser.TryReadList(reply.Payload, out var users)) throw OcAccounts.Malformed(reply);
        return users;
    }

    public static Task<List<UserCard>> ListAsync(OcConnection connection, CancellationToken cancellationToken = default) =>
        ListAsync(connection, FrameType.FriendList, FrameType.Friends, cancellationToken);

    public static Task<List<UserCard>> OnlineAsync(OcConnection connection, CancellationToken cancellationToken = default) =>
        ListAsync(connection, FrameType.OnlineList, FrameType.OnlineUsers, cancellationToken);

    private static async Task ChangeAsync(OcConnection connection, FrameType type, uint ocNumber, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => UserNumber.Write(b, type, id, ocNumber), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, name);
    }

    private static async Task<List<UserCard>> ListAsync(OcConnection connection, FrameType request, FrameType expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, request, id), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, expected, request == FrameType.FriendList ? "FRIEND_LIST" : "ONLINE_LIST");
        if (!UserList.TryRead(reply.Payload, out var users)) throw OcAccounts.Malformed(reply);
        return users;
    }
}

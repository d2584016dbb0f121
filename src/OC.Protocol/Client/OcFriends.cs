using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// The friends and presence requests of docs/protocol.md (FIND_USER, FRIEND_ADD, FRIEND_REMOVE,
/// FRIEND_LIST, ONLINE_LIST), one call each. Errors as in <see cref="OcAccounts"/>.
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

    public static Task AddAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.FriendAdd, ocNumber, cancellationToken);

    public static Task RemoveAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync(connection, FrameType.FriendRemove, ocNumber, cancellationToken);

    public static Task<List<UserCard>> ListAsync(OcConnection connection, CancellationToken cancellationToken = default) =>
        ListAsync(connection, FrameType.FriendList, FrameType.Friends, cancellationToken);

    public static Task<List<UserCard>> OnlineAsync(OcConnection connection, CancellationToken cancellationToken = default) =>
        ListAsync(connection, FrameType.OnlineList, FrameType.OnlineUsers, cancellationToken);

    private static async Task ChangeAsync(OcConnection connection, FrameType type, uint ocNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => UserNumber.Write(b, type, id, ocNumber), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, type == FrameType.FriendAdd ? "FRIEND_ADD" : "FRIEND_REMOVE");
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

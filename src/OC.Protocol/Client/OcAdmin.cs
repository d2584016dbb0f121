using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// The requests of the appliance's admin socket (docs/protocol.md, "The admin socket"), over an
/// <see cref="OcConnection"/> from <see cref="OcConnection.ConnectUnixAsync"/>. Used by
/// <c>oc-appliance user</c> and the tests.
/// </summary>
public static class OcAdmin
{
    /// <summary>Every account, in number order (ADMIN_USERS page by page).</summary>
    public static async Task<List<AdminUserEntry>> ListUsersAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var all = new List<AdminUserEntry>();
        uint after = 0;
        while (true)
        {
            uint from = after;
            var reply = await connection.RequestAsync((b, id) => AdminUserPage.WriteRequest(b, id, from), cancellationToken).ConfigureAwait(false);
            OcAccounts.Expect(reply, FrameType.AdminUserPage, "ADMIN_USERS");
            if (!AdminUserPage.TryRead(reply.Payload, out var page, out bool more)) throw OcAccounts.Malformed(reply);
            all.AddRange(page);
            if (!more || page.Count == 0) return all;
            after = page[^1].OcNumber;
        }
    }

    /// <summary>ADMIN_SET_PASSWORD: the account's new verifier; every session of it ends.</summary>
    public static async Task SetPasswordAsync(OcConnection connection, uint ocNumber, PasswordVerifier verifier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var request = new AdminSetPassword(ocNumber, verifier);
        var reply = await connection.RequestAsync((b, id) => AdminSetPassword.Write(b, id, request), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, "ADMIN_SET_PASSWORD");
    }

    /// <summary>ADMIN_DELETE_USER: the account, its sessions and friendships go; its number is never given out again.</summary>
    public static async Task DeleteUserAsync(OcConnection connection, uint ocNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => UserNumber.Write(b, FrameType.AdminDeleteUser, id, ocNumber), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Ok, "ADMIN_DELETE_USER");
    }

    /// <summary>
    /// ADMIN_SNAPSHOT: the appliance fixes the snapshot points of a backup (the message log's
    /// committed length, then a copy of the checkpointed database in its data folder).
    /// </summary>
    public static async Task<AdminSnapshotTaken> SnapshotAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.AdminSnapshot, id), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.AdminSnapshotTaken, "ADMIN_SNAPSHOT");
        if (!AdminSnapshotTaken.TryRead(reply.Payload, out var taken)) throw OcAccounts.Malformed(reply);
        return taken;
    }
}

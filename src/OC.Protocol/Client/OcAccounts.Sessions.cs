using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Protocol.Client;

// The sessions a user controls and the password change (docs/protocol.md, "Sessions and passwords").
public static partial class OcAccounts
{
    /// <summary>SESSIONS: the logged-in user's sessions, most recently used first.</summary>
    public static async Task<List<SessionEntry>> ListSessionsAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Sessions, id), cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.SessionList, "SESSIONS");
        if (!SessionList.TryRead(reply.Payload, out var sessions)) throw Malformed(reply);
        return sessions;
    }

    /// <summary>SESSION_REVOKE: ends one of the user's sessions; ERROR SessionNotFound when none has that id.</summary>
    public static async Task RevokeSessionAsync(OcConnection connection, uint sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => SessionRevoke.Write(b, id, sessionId), cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.Ok, "SESSION_REVOKE");
    }

    /// <summary>LOGOUT_ALL: ends every session of the user, this connection's included (it is logged out).</summary>
    public static async Task LogoutAllAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.LogoutAll, id), cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.Ok, "LOGOUT_ALL");
    }

    /// <summary>
    /// PASSWORD_CHANGE on a connection that has just logged in with the current password (see
    /// <see cref="LoginAsync(OcConnection, uint, string, string, CancellationToken)"/>): a new salt and
    /// keys derived here from <paramref name="newPassword"/>. Every other session of the user ends.
    /// </summary>
    public static async Task ChangePasswordAsync(
        OcConnection connection,
        string newPassword,
        int iterations = ScramCredentials.DefaultIterations,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(newPassword);
        var verifier = await DeriveVerifierAsync(newPassword, iterations, cancellationToken).ConfigureAwait(false);
        await ChangePasswordAsync(connection, verifier, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As above with the verifier derived already (<see cref="DeriveVerifierAsync"/>).</summary>
    public static async Task ChangePasswordAsync(OcConnection connection, PasswordVerifier verifier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => PasswordVerifier.WriteChange(b, id, verifier), cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.Ok, "PASSWORD_CHANGE");
    }

    /// <summary>
    /// The SCRAM verifier of a password with a fresh random salt (PBKDF2, off the calling thread).
    /// Throws <see cref="ArgumentException"/> for a password SCRAM refuses.
    /// </summary>
    public static async Task<PasswordVerifier> DeriveVerifierAsync(string password, int iterations = ScramCredentials.DefaultIterations, CancellationToken cancellationToken = default)
    {
        var credentials = await Task.Run(
            () => ScramCredentials.Derive(password, ScramCredentials.NewSalt(), iterations), cancellationToken).ConfigureAwait(false);
        return new PasswordVerifier(credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
    }
}

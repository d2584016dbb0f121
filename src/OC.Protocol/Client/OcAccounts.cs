using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Protocol.Client;

/// <summary>
/// The account requests of docs/protocol.md (REGISTER, the SCRAM login, RESUME, LOGOUT, WHOAMI)
/// as one call each over an <see cref="OcConnection"/>. Used by `oc`, the tests and the load
/// generator. Errors: <see cref="OcErrorException"/> when the appliance answers ERROR,
/// <see cref="OcConnectionException"/> when the connection breaks or the reply does not parse,
/// <see cref="ScramException"/> when the appliance's side of a login is unacceptable.
/// </summary>
public static partial class OcAccounts
{
    /// <summary>
    /// Creates an account and returns its OC number. The SCRAM keys are derived here, off the
    /// calling thread (PBKDF2 with <paramref name="iterations"/> rounds), so the password never
    /// leaves the client. Throws <see cref="ArgumentException"/> for a password that SCRAM
    /// refuses (empty, control characters).
    /// </summary>
    public static async Task<uint> RegisterAsync(
        OcConnection connection,
        string nick,
        string email,
        string password,
        int iterations = ScramCredentials.DefaultIterations,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(nick);
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(password);

        var credentials = await Task.Run(
            () => ScramCredentials.Derive(password, ScramCredentials.NewSalt(), iterations), cancellationToken).ConfigureAwait(false);
        var register = new Register(nick, email, credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
        var reply = await connection.RequestAsync((b, id) => Register.Write(b, id, register), cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.Registered, "REGISTER");
        if (!Registered.TryRead(reply.Payload, out var registered)) throw Malformed(reply);
        return registered.OcNumber;
    }

    /// <summary>
    /// Logs in with SCRAM-SHA-256 (LOGIN_START, LOGIN_CHALLENGE, LOGIN_FINISH, LOGGED_IN) and
    /// checks the appliance's signature before returning: a <see cref="ScramException"/> means the
    /// appliance did not prove that it holds the account's keys, and its token must not be used.
    /// Over TLS the login is SCRAM-SHA-256-PLUS, bound to <see cref="OcConnection.ChannelBinding"/>:
    /// when the appliance saw another certificate (ERROR ChannelBindingMismatch) the connection is
    /// relayed, and that is a <see cref="ScramException"/> that says so.
    /// </summary>
    public static Task<LoggedIn> LoginAsync(OcConnection connection, uint ocNumber, string password, CancellationToken cancellationToken = default) =>
        LoginAsync(connection, ocNumber, password, "", cancellationToken);

    /// <summary>As above, naming the device the new session is for (SESSIONS shows it; at most 64 bytes of UTF-8).</summary>
    public static async Task<LoggedIn> LoginAsync(OcConnection connection, uint ocNumber, string password, string device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(device);

        // Read once: the data the proof is bound to is the data the messages below must describe.
        var channelBinding = connection.ChannelBinding;
        var scram = new ScramClient(ocNumber.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), password, channelBinding: channelBinding);
        var start = new LoginStart(scram.ClientFirstMessage, device);
        var challenge = await LoginStepAsync(connection, channelBinding, (b, id) => LoginStart.Write(b, id, start), cancellationToken).ConfigureAwait(false);
        Expect(challenge, FrameType.LoginChallenge, "LOGIN_START");
        if (!ScramStep.TryRead(challenge.Payload, out var serverFirst)) throw Malformed(challenge);

        // PBKDF2 with the account's iteration count: tens of milliseconds or more.
        var clientFinal = await Task.Run(() => scram.ProcessServerFirst(serverFirst), cancellationToken).ConfigureAwait(false);
        var reply = await LoginStepAsync(connection, channelBinding,
            (b, id) => ScramStep.Write(b, FrameType.LoginFinish, id, clientFinal), cancellationToken).ConfigureAwait(false);
        var loggedIn = ReadLoggedIn(reply, "LOGIN_FINISH");

        if (!scram.VerifyServerFinal(loggedIn.ServerFinal))
        {
            throw new ScramException("the appliance could not prove that it holds this account's keys (wrong appliance, or the connection was tampered with)");
        }

        if (loggedIn.OcNumber != ocNumber)
        {
            throw new OcConnectionException($"the appliance logged in OC number {loggedIn.OcNumber} instead of {ocNumber}");
        }

        return loggedIn;
    }

    // One request of the login; the appliance's ChannelBindingMismatch becomes the warning it stands for.
    private static async Task<ReceivedFrame> LoginStepAsync(OcConnection connection, byte[]? channelBinding, RequestWriter write, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.RequestAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.ChannelBindingMismatch)
        {
            throw new ScramException(channelBinding is null
                ? "the appliance expects a TLS connection with a channel-bound login, but this one reached it without TLS: "
                    + "something between here and the appliance relays the connection (a possible man in the middle). "
                    + $"The appliance said: {e.Message}"
                : "the appliance's end of this connection is not the certificate this client was shown: the login was relayed "
                    + "through another certificate (a possible man in the middle), and the appliance refused it. "
                    + $"The appliance said: {e.Message}", e);
        }
    }

    /// <summary>Logs in with a session token from an earlier <see cref="LoggedIn"/>; ERROR InvalidSession when it was logged out.</summary>
    public static async Task<LoggedIn> ResumeAsync(OcConnection connection, byte[] sessionToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(sessionToken);

        var resume = new Resume(sessionToken);
        var reply = await connection.RequestAsync((b, id) => Resume.Write(b, id, resume), cancellationToken).ConfigureAwait(false);
        return ReadLoggedIn(reply, "RESUME");
    }

    /// <summary>Ends the session: its token stops working once this returns.</summary>
    public static async Task LogoutAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id), cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.Ok, "LOGOUT");
        if (!EmptyFrame.TryRead(reply.Payload)) throw Malformed(reply);
    }

    /// <summary>The account of the logged-in user.</summary>
    public static async Task<UserInfo> WhoAmIAsync(OcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.WhoAmI, id), cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.UserInfo, "WHOAMI");
        if (!UserInfo.TryRead(reply.Payload, out var info)) throw Malformed(reply);
        return info;
    }

    private static LoggedIn ReadLoggedIn(ReceivedFrame reply, string request)
    {
        Expect(reply, FrameType.LoggedIn, request);
        if (!LoggedIn.TryRead(reply.Payload, out var loggedIn) || loggedIn.SessionToken.Length != ProtocolLimits.SessionTokenBytes)
        {
            throw Malformed(reply);
        }

        return loggedIn;
    }

    internal static void Expect(ReceivedFrame reply, FrameType expected, string request)
    {
        if (reply.Type != expected)
        {
            throw new OcConnectionException($"the appliance answered {request} with {reply.Type} instead of {expected}");
        }
    }

    internal static OcConnectionException Malformed(ReceivedFrame reply) =>
        new($"the appliance sent a malformed {reply.Type} frame");
}

using System.Security.Cryptography;
using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Appliance.Net;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Appliance.Accounts;

/// <summary>
/// Accounts: REGISTER, the SCRAM login, RESUME, LOGOUT and WHOAMI (docs/protocol.md, "Accounts");
/// the sessions a user controls and the password change (AccountsHandler.Sessions.cs); the admin
/// socket's account requests (AccountsHandler.Admin.cs).
/// A login puts the session into the presence registry; a logout or close takes it out and tells
/// the other features (<see cref="SessionEvents.Ended"/>). Loop thread only.
/// </summary>
internal sealed partial class AccountsHandler(StorageWorker storage, PresenceRegistry presence, SessionEvents sessions, RateLimits limits, TimeProvider time)
{
    // A connection that keeps guessing is cut off, whatever the throttle says.
    private const int MaxLoginAttemptsPerConnection = 10;

    public LoginThrottle Throttle { get; } = new();

    internal TimeProvider Time => time;

    /// <summary>A session unused this long has expired (<c>--session-ttl</c>).</summary>
    public TimeSpan SessionTtl { get; set; } = DefaultSessionTtl;

    public static readonly TimeSpan DefaultSessionTtl = TimeSpan.FromDays(30);

    public void OnRegister(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!Register.TryRead(payload, out var request))
        {
            Replies.Malformed(session, requestId, "REGISTER");
            return;
        }
        if (!Replies.WithinRate(session, requestId, limits, RateKind.Register)) return;
        if (!AccountRules.TryValidate(request, out var valid, out var error))
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, error);
            return;
        }
        storage.Post(new RegisterJob(session, requestId, valid, storage.Counters, time.GetUtcNow().UtcDateTime));
    }

    internal static void OnRegistered(ClientSession session, uint requestId, UserRecord user)
    {
        Log.Info("accounts.registered", $"{user.Number} ({user.Nick}) from {session.Address}");
        Registered.Write(session.Connection.Output, requestId, new Registered((uint)user.Number));
        session.Connection.Commit();
    }

    public void OnLoginStart(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!LoginStart.TryRead(payload, out var start))
        {
            Replies.Malformed(session, requestId, "LOGIN_START");
            return;
        }
        string clientFirst = start.ClientFirst;
        if (session.State != SessionState.Anonymous)
        {
            Replies.Error(session, requestId, ErrorCode.AlreadyAuthenticated,
                session.State == SessionState.Authenticated ? "already logged in on this connection" : "a login is already in progress");
            return;
        }
        // Before the attempt is counted: a client told to wait and sending again has not guessed.
        if (!Replies.WithinRate(session, requestId, limits, RateKind.Login)) return;
        if (++session.LoginAttempts > MaxLoginAttemptsPerConnection)
        {
            Replies.Fatal(session, requestId, ErrorCode.TooManyAttempts, "too many login attempts on one connection");
            return;
        }
        // Over TLS only a login bound to this connection's certificate (SCRAM-SHA-256-PLUS); on
        // plaintext none can be. A header that does not fit is refused before any disk work.
        var channelBinding = session.Connection.ChannelBinding;
        if (!ScramServer.TryParseClientFirst(clientFirst, channelBinding, out var username, out _, out var scramError, out bool bindingRefused))
        {
            if (bindingRefused)
            {
                Log.Info("accounts.channel_binding_refused", session.Address, $"LOGIN_START from {session.Address}: {scramError}");
                Replies.Error(session, requestId, ErrorCode.ChannelBindingMismatch, scramError);
            }
            else
            {
                Replies.Error(session, requestId, ErrorCode.InvalidArgument, "bad SCRAM client-first message: " + scramError);
            }
            return;
        }
        if (!OcNumber.TryParse(username, out var ocNumber))
        {
            Replies.Error(session, requestId, ErrorCode.UnknownUser, $"'{username}' is not an OC number (six digits)");
            return;
        }
        if (!TextRules.TryValidateDevice(start.Device, out string device, out string deviceError))
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, deviceError);
            return;
        }
        int number = (int)ocNumber.Value;
        if (Throttle.IsLocked(number, session.Address, time.NowMs(), out uint retryAfter))
        {
            Replies.Error(session, requestId, ErrorCode.Throttled, $"too many failed logins; try again in {retryAfter} s", retryAfter);
            return;
        }

        session.State = SessionState.LoggingIn;
        session.LoginDevice = device;
        storage.Post(new FindUserJob(session, requestId, number, user => OnLoginUserFound(session, requestId, user, clientFirst, channelBinding)));
    }

    private void OnLoginUserFound(ClientSession session, uint requestId, UserRecord? user, string clientFirst, byte[]? channelBinding)
    {
        if (user is null)
        {
            session.State = SessionState.Anonymous;
            Throttle.RecordFailure(0, session.Address, time.NowMs());
            Replies.Error(session, requestId, ErrorCode.UnknownUser, "no user has that OC number");
            return;
        }
        var credentials = new ScramCredentials(user.Salt, user.Iterations, user.StoredKey, user.ServerKey);
        // The data TryParseClientFirst accepted this message with, so the constructor cannot refuse it.
        session.Scram = new ScramServer(clientFirst, credentials, channelBinding);
        session.ScramUser = user.Number;
        session.ScramStoredKey = user.StoredKey;
        session.State = SessionState.Authenticating;
        ScramStep.Write(session.Connection.Output, FrameType.LoginChallenge, requestId, session.Scram.ServerFirstMessage);
        session.Connection.Commit();
    }

    public void OnLoginFinish(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!ScramStep.TryRead(payload, out var clientFinal))
        {
            Replies.Malformed(session, requestId, "LOGIN_FINISH");
            return;
        }
        if (session.State != SessionState.Authenticating || session.Scram is null)
        {
            Replies.Fatal(session, requestId, ErrorCode.UnexpectedFrame, "LOGIN_FINISH without a LOGIN_CHALLENGE before it");
            return;
        }

        var scram = session.Scram;
        int number = session.ScramUser;
        var storedKey = session.ScramStoredKey!;
        session.Scram = null;
        session.ScramStoredKey = null;
        if (!scram.TryVerifyClientFinal(clientFinal, out var serverFinal))
        {
            // A failed login either way, counted by the throttle: a relay may be guessing too.
            session.State = SessionState.Anonymous;
            Throttle.RecordFailure(number, session.Address, time.NowMs());
            if (serverFinal == ScramServer.ChannelBindingsDontMatch)
            {
                string why = session.Connection.ChannelBinding is null
                    ? "the login's channel binding does not match its client-first message"
                    : "the login is bound to another TLS certificate than this appliance's: the connection is relayed (a possible man in the middle)";
                Log.Warn("accounts.channel_binding_mismatch", session.Address, $"{number} from {session.Address}: {why}");
                Replies.Error(session, requestId, ErrorCode.ChannelBindingMismatch, why);
                return;
            }
            Log.Info("accounts.login_failed", $"{number} from {session.Address}");
            Replies.Error(session, requestId, ErrorCode.AuthenticationFailed, "wrong password");
            return;
        }

        Throttle.RecordSuccess(number);
        session.State = SessionState.LoggingIn;
        var token = RandomNumberGenerator.GetBytes(ProtocolLimits.SessionTokenBytes);
        storage.Post(new SaveSessionJob(this, session, requestId, number, storedKey, token, session.LoginDevice, session.AddressText, serverFinal, time.GetUtcNow().UtcDateTime));
    }

    public void OnResume(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!Resume.TryRead(payload, out var request))
        {
            Replies.Malformed(session, requestId, "RESUME");
            return;
        }
        if (session.State != SessionState.Anonymous)
        {
            Replies.Error(session, requestId, ErrorCode.AlreadyAuthenticated, "already logged in or logging in on this connection");
            return;
        }
        if (!Replies.WithinRate(session, requestId, limits, RateKind.Login)) return;
        if (request.SessionToken.Length != ProtocolLimits.SessionTokenBytes)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidSession, "the session token is not valid; log in again");
            return;
        }
        session.State = SessionState.LoggingIn;
        storage.Post(new ResumeJob(this, session, requestId, request.SessionToken, session.AddressText, time.GetUtcNow().UtcDateTime, SessionTtl));
    }

    internal void OnLoggedIn(ClientSession session, uint requestId, UserRecord user, int sessionId, byte[] token, string serverFinal, UserRelations relations)
    {
        session.State = SessionState.Authenticated;
        session.LoginAttempts = 0;
        session.UserNumber = user.Number;
        session.Nick = user.Nick;
        session.SessionToken = token;
        session.SessionId = sessionId;
        session.PasswordLoginMs = serverFinal.Length > 0 ? Math.Max(1, time.NowMs()) : 0;
        presence.SessionOnline(session, user.Nick, relations.Friends, relations.Blocking, relations.BlockedBy);
        // Debug, not Info: logins are routine and frequent; a line each cost a fifth of login throughput.
        if (Log.IsEnabled(LogLevel.Debug))
            Log.Debug("accounts.logged_in", $"{user.Number} on #{session.Connection.Id} from {session.Address}{(serverFinal.Length == 0 ? " (resumed)" : "")}");
        LoggedIn.Write(session.Connection.Output, requestId, new LoggedIn(serverFinal, token, (uint)user.Number, user.Nick));
        session.Connection.Commit();
    }

    public void OnLogout(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload))
        {
            Replies.Malformed(session, requestId, "LOGOUT");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        var token = session.SessionToken!;
        LogOutConnection(session);
        storage.Post(new LogoutJob(session, requestId, token));
    }

    public void OnWhoAmI(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload))
        {
            Replies.Malformed(session, requestId, "WHOAMI");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        storage.Post(new FindUserJob(session, requestId, session.UserNumber, user =>
        {
            if (user is null)
            {
                Replies.Error(session, requestId, ErrorCode.UnknownUser, "this account no longer exists");
                return;
            }
            UserInfo.Write(session.Connection.Output, requestId, new UserInfo((uint)user.Number, user.Nick, user.Email, new DateTimeOffset(user.CreatedUtc).ToUnixTimeSeconds()));
            session.Connection.Commit();
        }));
    }

    /// <summary>The connection closed: a login in progress is dropped, a logged-in session ends.</summary>
    public void OnClosed(ClientSession session)
    {
        session.Scram = null;
        if (session.State == SessionState.Authenticated) EndLogin(session);
    }

    private void EndLogin(ClientSession session)
    {
        presence.SessionOffline(session, session.UserNumber);
        sessions.RaiseEnded(session);
    }
}

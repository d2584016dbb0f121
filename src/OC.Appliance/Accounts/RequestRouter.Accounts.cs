using System.Security.Cryptography;
using OC.Appliance.Accounts;
using OC.Appliance.Diagnostics;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Appliance.Protocol;

/// <summary>Accounts: REGISTER, the SCRAM login, RESUME, LOGOUT and WHOAMI (docs/protocol.md, "Accounts").</summary>
internal sealed partial class RequestRouter
{
    // A connection that keeps guessing is cut off, whatever the throttle says.
    private const int MaxLoginAttemptsPerConnection = 10;

    private void OnRegister(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!Register.TryRead(payload, out var request))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed REGISTER payload");
            return;
        }
        if (!AccountRules.TryValidate(request, out var error))
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, error);
            return;
        }
        Post(session, new RegisterJob(this, session, requestId, request));
    }

    internal void OnRegistered(ClientSession session, uint requestId, UserRecord user)
    {
        Log.Info("accounts.registered", $"{user.Number} ({user.Nick}) from {session.Address}");
        Registered.Write(session.Connection.Output, requestId, new Registered((uint)user.Number));
        session.Connection.Commit();
    }

    private void OnLoginStart(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!ScramStep.TryRead(payload, out var clientFirst))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed LOGIN_START payload");
            return;
        }
        if (session.State != SessionState.Anonymous)
        {
            SendError(session, requestId, ErrorCode.AlreadyAuthenticated,
                session.State == SessionState.Authenticated ? "already logged in on this connection" : "a login is already in progress");
            return;
        }
        if (++session.LoginAttempts > MaxLoginAttemptsPerConnection)
        {
            Fatal(session, requestId, ErrorCode.TooManyAttempts, "too many login attempts on one connection");
            return;
        }
        if (!ScramServer.TryParseClientFirst(clientFirst, out var username, out _, out var scramError))
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, "bad SCRAM client-first message: " + scramError);
            return;
        }
        if (!AccountRules.TryParseNumber(username, out int number))
        {
            SendError(session, requestId, ErrorCode.UnknownUser, $"'{username}' is not an OC number (six digits)");
            return;
        }
        if (Throttle.IsLocked(number, session.Address, Environment.TickCount64, out uint retryAfter))
        {
            SendError(session, requestId, ErrorCode.Throttled, $"too many failed logins; try again in {retryAfter} s", retryAfter);
            return;
        }

        session.State = SessionState.LoggingIn;
        Post(session, new FindUserJob(this, session, requestId, number, (router, s, id, user) => router.OnLoginUserFound(s, id, user, clientFirst)));
    }

    private void OnLoginUserFound(ClientSession session, uint requestId, UserRecord? user, string clientFirst)
    {
        if (user is null)
        {
            session.State = SessionState.Anonymous;
            Throttle.RecordFailure(0, session.Address, Environment.TickCount64);
            SendError(session, requestId, ErrorCode.UnknownUser, "no user has that OC number");
            return;
        }
        var credentials = new ScramCredentials(user.Salt, user.Iterations, user.StoredKey, user.ServerKey);
        session.Scram = new ScramServer(clientFirst, credentials);
        session.ScramUser = user.Number;
        session.State = SessionState.Authenticating;
        ScramStep.Write(session.Connection.Output, FrameType.LoginChallenge, requestId, session.Scram.ServerFirstMessage);
        session.Connection.Commit();
    }

    private void OnLoginFinish(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!ScramStep.TryRead(payload, out var clientFinal))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed LOGIN_FINISH payload");
            return;
        }
        if (session.State != SessionState.Authenticating || session.Scram is null)
        {
            Fatal(session, requestId, ErrorCode.UnexpectedFrame, "LOGIN_FINISH without a LOGIN_CHALLENGE before it");
            return;
        }

        var scram = session.Scram;
        int number = session.ScramUser;
        session.Scram = null;
        if (!scram.TryVerifyClientFinal(clientFinal, out var serverFinal))
        {
            session.State = SessionState.Anonymous;
            Throttle.RecordFailure(number, session.Address, Environment.TickCount64);
            Log.Info("accounts.login_failed", $"{number} from {session.Address}");
            SendError(session, requestId, ErrorCode.AuthenticationFailed, "wrong password");
            return;
        }

        Throttle.RecordSuccess(number);
        session.State = SessionState.LoggingIn;
        var token = RandomNumberGenerator.GetBytes(ProtocolLimits.SessionTokenBytes);
        Post(session, new SaveSessionJob(this, session, requestId, number, token, serverFinal));
    }

    private void OnResume(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!Resume.TryRead(payload, out var request))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed RESUME payload");
            return;
        }
        if (session.State != SessionState.Anonymous)
        {
            SendError(session, requestId, ErrorCode.AlreadyAuthenticated, "already logged in or logging in on this connection");
            return;
        }
        if (request.SessionToken.Length != ProtocolLimits.SessionTokenBytes)
        {
            SendError(session, requestId, ErrorCode.InvalidSession, "the session token is not valid; log in again");
            return;
        }
        session.State = SessionState.LoggingIn;
        Post(session, new ResumeJob(this, session, requestId, request.SessionToken));
    }

    internal void OnLoggedIn(ClientSession session, uint requestId, UserRecord user, byte[] token, string serverFinal, List<int> friends)
    {
        session.State = SessionState.Authenticated;
        session.LoginAttempts = 0;
        session.UserNumber = user.Number;
        session.Nick = user.Nick;
        session.SessionToken = token;
        Presence.SessionOnline(session, user.Nick, friends);
        // Debug, not Info: logins are routine and frequent; a line each cost a fifth of login throughput.
        if (Log.IsEnabled(LogLevel.Debug))
            Log.Debug("accounts.logged_in", $"{user.Number} on #{session.Connection.Id} from {session.Address}{(serverFinal.Length == 0 ? " (resumed)" : "")}");
        LoggedIn.Write(session.Connection.Output, requestId, new LoggedIn(serverFinal, token, (uint)user.Number, user.Nick));
        session.Connection.Commit();
    }

    private void OnLogout(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed LOGOUT payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        var token = session.SessionToken!;
        if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("accounts.logged_out", $"{session.UserNumber} on #{session.Connection.Id}");
        Presence.SessionOffline(session, session.UserNumber);
        // Its uploads and downloads belong to the user who logs out, not to whoever logs in next.
        OnFilesSessionClosed(session);
        session.State = SessionState.Anonymous;
        session.UserNumber = 0;
        session.SessionToken = null;
        Post(session, new LogoutJob(this, session, requestId, token));
    }

    private void OnWhoAmI(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed WHOAMI payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        Post(session, new FindUserJob(this, session, requestId, session.UserNumber, static (router, s, id, user) =>
        {
            if (user is null)
            {
                router.SendError(s, id, ErrorCode.UnknownUser, "this account no longer exists");
                return;
            }
            UserInfo.Write(s.Connection.Output, id, new UserInfo((uint)user.Number, user.Nick, user.Email, new DateTimeOffset(user.CreatedUtc).ToUnixTimeSeconds()));
            s.Connection.Commit();
        }));
    }

    internal bool RequireLogin(ClientSession session, uint requestId)
    {
        if (session.State == SessionState.Authenticated) return true;
        SendError(session, requestId, ErrorCode.NotAuthenticated, "log in first");
        return false;
    }

    private partial void OnSessionClosed(ClientSession session, string reason)
    {
        session.Scram = null;
        if (session.State == SessionState.Authenticated) Presence.SessionOffline(session, session.UserNumber);
    }
}

using System.Security.Cryptography;
using LiteDB;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

/// <summary>REGISTER: the new account is committed (and flushed) before REGISTERED is sent.</summary>
internal sealed class RegisterJob(ClientSession session, uint requestId, Register request, AccountCounters counters, DateTime nowUtc)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private UserRecord? _user;

    internal override void Execute(LiteDatabase db) =>
        _user = AccountStore.CreateUser(db, request.Nick, request.Email, request.Salt, (int)request.Iterations,
            request.StoredKey, request.ServerKey, nowUtc);

    internal override void OnDurable() => counters.AddUsers(1);

    protected override void OnCompleted() => AccountsHandler.OnRegistered(Session, RequestId, _user!);
}

/// <summary>LOGIN_START and WHOAMI: read one account.</summary>
internal sealed class FindUserJob(ClientSession session, uint requestId, int number, Action<UserRecord?> then)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private UserRecord? _user;

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db) => _user = AccountStore.FindUser(db, number);

    protected override void OnCompleted() => then(_user);

    protected override void OnFailed()
    {
        if (Session.State is SessionState.LoggingIn) Session.State = SessionState.Anonymous;
    }
}

/// <summary>
/// LOGIN_FINISH succeeded: store the new session (its token's hash) before LOGGED_IN goes out. The
/// proof was checked against the keys read at LOGIN_START; if the password changed (or the account
/// went) since, the login fails instead: the old password must not open a session after a change.
/// </summary>
internal sealed class SaveSessionJob(AccountsHandler handler, ClientSession session, uint requestId, int number, byte[] storedKey,
    byte[] token, string device, string address, string serverFinal, DateTime nowUtc)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private UserRecord? _user;
    private SessionRecord? _session;
    private UserRelations _relations = UserRelations.None;

    internal override void Execute(LiteDatabase db)
    {
        _session = null;
        _user = AccountStore.FindUser(db, number);
        if (_user is null || !CryptographicOperations.FixedTimeEquals(_user.StoredKey, storedKey)) return;
        _session = UserSessions.Create(db, token, number, device, address, nowUtc);
        _relations = FriendStore.RelationsOf(db, number);
    }

    protected override void OnCompleted()
    {
        if (_session is null)
        {
            Session.State = SessionState.Anonymous;
            Replies.Error(Session, RequestId, ErrorCode.AuthenticationFailed, "the password changed during the login; log in again");
            return;
        }
        handler.OnLoggedIn(Session, RequestId, _user!, _session.Id, token, serverFinal, _relations);
    }

    protected override void OnFailed() => Session.State = SessionState.Anonymous;
}

/// <summary>RESUME: look the token up, refuse it if it has expired, record the use.</summary>
internal sealed class ResumeJob(AccountsHandler handler, ClientSession session, uint requestId, byte[] token, string address, DateTime nowUtc, TimeSpan ttl)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private ResumeOutcome _outcome;
    private SessionRecord? _session;
    private UserRecord? _user;
    private UserRelations _relations = UserRelations.None;

    internal override void Execute(LiteDatabase db)
    {
        _user = null;
        _outcome = UserSessions.TryResume(db, token, address, nowUtc, ttl, out _session);
        if (_session is null) return;
        _user = AccountStore.FindUser(db, _session.User);
        if (_user is not null) _relations = FriendStore.RelationsOf(db, _user.Number);
    }

    protected override void OnCompleted()
    {
        if (_user is null)
        {
            Session.State = SessionState.Anonymous;
            Replies.Error(Session, RequestId, ErrorCode.InvalidSession, _outcome == ResumeOutcome.Expired
                ? $"the session expired after {AccountsHandler.DescribeTtl(ttl)} unused; log in again"
                : "the session has ended; log in again");
            return;
        }
        handler.OnLoggedIn(Session, RequestId, _user, _session!.Id, token, "", _relations);
    }

    protected override void OnFailed() => Session.State = SessionState.Anonymous;
}

/// <summary>LOGOUT: the token stops working for every connection that would resume with it.</summary>
internal sealed class LogoutJob(ClientSession session, uint requestId, byte[] token)
    : RequestJob<LiteDatabase>(session, requestId)
{
    internal override void Execute(LiteDatabase db) => UserSessions.Delete(db, token);

    protected override void OnCompleted() => Replies.Ok(Session, RequestId);
}

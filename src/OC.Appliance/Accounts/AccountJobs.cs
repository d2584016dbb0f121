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

/// <summary>LOGIN_FINISH succeeded: store the new session token (its hash) before LOGGED_IN goes out.</summary>
internal sealed class SaveSessionJob(AccountsHandler handler, ClientSession session, uint requestId, int number, byte[] token, string serverFinal, DateTime nowUtc)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private UserRecord? _user;
    private UserRelations _relations = UserRelations.None;

    internal override void Execute(LiteDatabase db)
    {
        AccountStore.SaveSession(db, token, number, nowUtc);
        _user = AccountStore.FindUser(db, number);
        _relations = FriendStore.RelationsOf(db, number);
    }

    protected override void OnCompleted() => handler.OnLoggedIn(Session, RequestId, _user!, token, serverFinal, _relations);

    protected override void OnFailed() => Session.State = SessionState.Anonymous;
}

/// <summary>RESUME: look the token up.</summary>
internal sealed class ResumeJob(AccountsHandler handler, ClientSession session, uint requestId, byte[] token, DateTime nowUtc)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private UserRecord? _user;
    private UserRelations _relations = UserRelations.None;

    internal override void Execute(LiteDatabase db)
    {
        int? number = AccountStore.FindSessionUser(db, token, nowUtc);
        _user = number is int n ? AccountStore.FindUser(db, n) : null;
        if (_user is not null) _relations = FriendStore.RelationsOf(db, _user.Number);
    }

    protected override void OnCompleted()
    {
        if (_user is null)
        {
            Session.State = SessionState.Anonymous;
            Replies.Error(Session, RequestId, ErrorCode.InvalidSession, "the session has ended; log in again");
            return;
        }
        handler.OnLoggedIn(Session, RequestId, _user, token, "", _relations);
    }

    protected override void OnFailed() => Session.State = SessionState.Anonymous;
}

/// <summary>LOGOUT: the token stops working for every connection that would resume with it.</summary>
internal sealed class LogoutJob(ClientSession session, uint requestId, byte[] token)
    : RequestJob<LiteDatabase>(session, requestId)
{
    internal override void Execute(LiteDatabase db) => AccountStore.DeleteSession(db, token);

    protected override void OnCompleted() => Replies.Ok(Session, RequestId);
}

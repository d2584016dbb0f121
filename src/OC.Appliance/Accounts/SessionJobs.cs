using LiteDB;
using OC.Appliance.Diagnostics;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

/// <summary>SESSIONS: the user's sessions that have not expired.</summary>
internal sealed class ListSessionsJob(AccountsHandler handler, ClientSession session, uint requestId, int user, DateTime nowUtc, TimeSpan ttl)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private List<SessionRecord> _sessions = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db) => _sessions = UserSessions.ListFor(db, user, nowUtc, ttl);

    protected override void OnCompleted() => handler.OnSessionsListed(Session, RequestId, _sessions);
}

/// <summary>
/// SESSION_REVOKE: deleted on disk before anyone hears of it. Completes even when the asker has
/// gone: the connections on the revoked session must end all the same.
/// </summary>
internal sealed class RevokeSessionJob(AccountsHandler handler, ClientSession session, uint requestId, int user, int id)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private bool _found;

    protected override bool ActsWhenClosed => true;

    internal override void Execute(LiteDatabase db) => _found = UserSessions.DeleteOne(db, user, id);

    protected override void OnCompleted() => handler.OnSessionRevoked(Session, RequestId, user, id, _found);
}

/// <summary>LOGOUT_ALL: every session of the user, deleted on disk before the reply.</summary>
internal sealed class EndAllSessionsJob(AccountsHandler handler, ClientSession session, uint requestId, int user)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private List<int> _ended = [];

    protected override bool ActsWhenClosed => true;

    internal override void Execute(LiteDatabase db) => _ended = UserSessions.DeleteAllFor(db, user);

    protected override void OnCompleted() => handler.OnAllSessionsEnded(Session, RequestId, user, _ended);
}

/// <summary>
/// PASSWORD_CHANGE: the new verifier and the end of every other session, in one transaction. A
/// new salt is required (the same salt with new keys would still be a new password, but a client
/// that reuses salts is broken, and this is the one place it can be told).
/// </summary>
internal sealed class ChangePasswordJob(AccountsHandler handler, ClientSession session, uint requestId, int user, int keepSession, PasswordVerifier verifier)
    : RequestJob<LiteDatabase>(session, requestId)
{
    internal enum Outcome { Changed, SameSalt, UnknownUser }

    private Outcome _outcome;
    private List<int> _ended = [];

    protected override bool ActsWhenClosed => true;

    internal override void Execute(LiteDatabase db)
    {
        _ended = [];
        var account = AccountStore.FindUser(db, user);
        if (account is null)
        {
            _outcome = Outcome.UnknownUser;
            return;
        }
        if (account.Salt.AsSpan().SequenceEqual(verifier.Salt))
        {
            _outcome = Outcome.SameSalt;
            return;
        }
        AccountStore.SetPassword(db, user, verifier.Salt, (int)verifier.Iterations, verifier.StoredKey, verifier.ServerKey);
        _ended = UserSessions.DeleteAllFor(db, user, keepId: keepSession);
        _outcome = Outcome.Changed;
    }

    protected override void OnCompleted() => handler.OnPasswordChanged(Session, RequestId, user, _outcome, _ended);
}

/// <summary>The hourly session sweep (<see cref="AccountsHandler.SweepSessions"/>): answers no request.</summary>
internal sealed class SweepSessionsJob(IReadOnlyCollection<(int User, int Id)> live, DateTime nowUtc, TimeSpan ttl) : StorageJob
{
    private int _deleted;

    internal override void Execute(LiteDatabase db) => _deleted = UserSessions.Sweep(db, live, nowUtc, ttl);

    internal override void Complete()
    {
        if (Error is not null) Log.Warn("accounts.session_sweep", $"failed: {Error.GetType().Name}: {Error.Message}");
        else if (_deleted > 0) Log.Info("accounts.sessions_expired", $"{_deleted} session(s) unused for {AccountsHandler.DescribeTtl(ttl)} deleted");
    }
}

using LiteDB;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

/// <summary>ADMIN_USERS: a page of accounts with their session counts.</summary>
internal sealed class AdminListUsersJob(ClientSession session, uint requestId, int after)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private List<AccountSummary> _users = [];
    private bool _more;

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db) => _users = AccountAdmin.ListUsers(db, after, AdminUserPage.MaxEntries, out _more);

    protected override void OnCompleted()
    {
        var entries = _users.Select(u => new AdminUserEntry(
            (uint)u.Number, u.Nick, u.Email, UnixMs(u.CreatedUtc), (ushort)Math.Min(u.Sessions, ushort.MaxValue),
            u.LastUsedUtc is { } last ? UnixMs(last) : 0)).ToList();
        AdminUserPage.Write(Session.Connection.Output, RequestId, entries, _more);
        Session.Connection.Commit();
    }

    private static long UnixMs(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();
}

/// <summary>ADMIN_SET_PASSWORD: the new verifier, and every session of the account ends.</summary>
internal sealed class AdminSetPasswordJob(AccountsHandler handler, ClientSession session, uint requestId, int number, PasswordVerifier verifier)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private List<int>? _ended;

    protected override bool ActsWhenClosed => true;

    internal override void Execute(LiteDatabase db) =>
        _ended = AccountAdmin.ResetPassword(db, number, verifier.Salt, (int)verifier.Iterations, verifier.StoredKey, verifier.ServerKey);

    protected override void OnCompleted() => handler.OnAdminPasswordSet(Session, RequestId, number, _ended);
}

/// <summary>ADMIN_DELETE_USER: the account, its sessions and friendships; its number retired.</summary>
internal sealed class AdminDeleteUserJob(AccountsHandler handler, ClientSession session, uint requestId, int number, DateTime nowUtc, AccountCounters counters)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private (List<int> Friends, List<int> Sessions)? _deleted;

    protected override bool ActsWhenClosed => true;

    internal override void Execute(LiteDatabase db) => _deleted = AccountAdmin.DeleteUser(db, number, nowUtc);

    internal override void OnDurable()
    {
        if (_deleted is not null) counters.AddUsers(-1);
    }

    protected override void OnCompleted() => handler.OnAdminUserDeleted(Session, RequestId, number, _deleted);
}

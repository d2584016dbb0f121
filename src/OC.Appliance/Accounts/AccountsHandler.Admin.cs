using OC.Appliance.Diagnostics;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

// The account requests of the admin socket (docs/protocol.md, "The admin socket"): only a
// connection to the Unix socket in the data folder gets here, never one from the network.
internal sealed partial class AccountsHandler
{
    public void OnAdminUsers(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!AdminUserPage.TryReadRequest(payload, out uint after))
        {
            Replies.Malformed(session, requestId, "ADMIN_USERS");
            return;
        }
        storage.Post(new AdminListUsersJob(session, requestId, (int)Math.Min(after, int.MaxValue)));
    }

    public void OnAdminSetPassword(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!AdminSetPassword.TryRead(payload, out var request))
        {
            Replies.Malformed(session, requestId, "ADMIN_SET_PASSWORD");
            return;
        }
        if (!OcNumber.IsValid(request.OcNumber))
        {
            Replies.Error(session, requestId, ErrorCode.UnknownUser, "no user has that OC number");
            return;
        }
        if (!AccountRules.TryValidateVerifier(request.Verifier, out string error))
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, error);
            return;
        }
        storage.Post(new AdminSetPasswordJob(this, session, requestId, (int)request.OcNumber, request.Verifier));
    }

    internal void OnAdminPasswordSet(ClientSession session, uint requestId, int number, List<int>? ended)
    {
        if (ended is null)
        {
            if (!session.IsClosed) Replies.Error(session, requestId, ErrorCode.UnknownUser, "no user has that OC number");
            return;
        }
        Log.Info("accounts.password_reset", $"{number}: by the administrator, {ended.Count} session(s) ended");
        // Whoever locked the account by guessing is not the owner who now has a new password.
        Throttle.RecordSuccess(number);
        EndSessions(number, ended, "the appliance's administrator reset the password; log in again", except: null);
        if (!session.IsClosed) Replies.Ok(session, requestId);
    }

    public void OnAdminDeleteUser(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!UserNumber.TryRead(payload, out uint number))
        {
            Replies.Malformed(session, requestId, "ADMIN_DELETE_USER");
            return;
        }
        if (!OcNumber.IsValid(number))
        {
            Replies.Error(session, requestId, ErrorCode.UnknownUser, "no user has that OC number");
            return;
        }
        storage.Post(new AdminDeleteUserJob(this, session, requestId, (int)number, time.GetUtcNow().UtcDateTime, storage.Counters));
    }

    internal void OnAdminUserDeleted(ClientSession session, uint requestId, int number, (List<int> Friends, List<int> Sessions)? deleted)
    {
        if (deleted is not { } gone)
        {
            if (!session.IsClosed) Replies.Error(session, requestId, ErrorCode.UnknownUser, "no user has that OC number");
            return;
        }
        Log.Info("accounts.user_deleted", $"{number}: by the administrator, {gone.Sessions.Count} session(s) and {gone.Friends.Count} friendship(s) ended");
        sessions.RaiseAccountDeleted(number);
        EndSessions(number, gone.Sessions, "this account was deleted by the appliance's administrator", except: null);
        // As FRIEND_REMOVE tells the other side: their cached list and their sessions.
        foreach (int friend in gone.Friends)
        {
            presence.FriendshipChanged(number, friend, friends: false);
            presence.Push(friend, b => UserNumber.Write(b, FrameType.FriendRemoved, Frame.NoRequest, (uint)number));
        }
        if (!session.IsClosed) Replies.Ok(session, requestId);
    }
}

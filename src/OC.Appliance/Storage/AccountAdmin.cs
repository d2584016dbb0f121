using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>One account as the appliance's administrator sees it: never its keys.</summary>
internal sealed record AccountSummary(int Number, string Nick, string Email, DateTime CreatedUtc, int Sessions, DateTime? LastUsedUtc);

/// <summary>
/// What <c>oc-appliance user</c> does to the accounts, whole, in one storage job each: the
/// running appliance runs them for its admin socket, and the command itself when no appliance
/// runs (docs/architecture.md, "The admin socket"). Storage thread only.
/// </summary>
internal static class AccountAdmin
{
    /// <summary>A page of accounts above <paramref name="afterNumber"/>; <paramref name="more"/> when others follow.</summary>
    internal static List<AccountSummary> ListUsers(LiteDatabase db, int afterNumber, int limit, out bool more)
    {
        var users = AccountStore.ListUsers(db, afterNumber, limit + 1);
        more = users.Count > limit;
        if (more) users.RemoveAt(users.Count - 1);
        var sessions = UserSessions.SummaryByUser(db);
        return users.Select(u =>
        {
            var (count, lastUsed) = sessions.GetValueOrDefault(u.Number);
            return new AccountSummary(u.Number, u.Nick, u.Email, u.CreatedUtc, count, count > 0 ? lastUsed : null);
        }).ToList();
    }

    /// <summary>
    /// A new password (its verifier) and the end of every session of the account; returns the
    /// ids of the sessions that ended, or null when there is no such account.
    /// </summary>
    internal static List<int>? ResetPassword(LiteDatabase db, int number, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
    {
        if (!AccountStore.SetPassword(db, number, salt, iterations, storedKey, serverKey)) return null;
        return UserSessions.DeleteAllFor(db, number);
    }

    /// <summary>
    /// Deletes the account, its sessions, its friendships, the friend requests from and to it, the
    /// blocks by and of it, its room memberships and invitations (a room it owned goes to the member
    /// with the lowest number), and retires its number. Messages and files stay: the other side of
    /// each conversation keeps its history and its files. Null when there is no such account.
    /// </summary>
    internal static (List<int> Friends, List<int> Sessions)? DeleteUser(LiteDatabase db, int number, DateTime nowUtc)
    {
        if (AccountStore.FindUser(db, number) is null) return null;
        var friends = FriendStore.FriendsOf(db, number);
        foreach (int friend in friends) FriendStore.Remove(db, number, friend);
        foreach (var (other, _) in FriendRequestStore.To(db, number, int.MaxValue)) FriendRequestStore.Remove(db, other, number);
        foreach (var (other, _) in FriendRequestStore.From(db, number, int.MaxValue)) FriendRequestStore.Remove(db, number, other);
        foreach (int other in BlockStore.Blocking(db, number)) BlockStore.Remove(db, number, other);
        foreach (int other in BlockStore.BlockersOf(db, number)) BlockStore.Remove(db, other, number);
        var sessions = UserSessions.DeleteAllFor(db, number);
        RoomStore.RemoveUserEverywhere(db, number);
        AccountStore.DeleteUser(db, number, nowUtc);
        return (friends, sessions);
    }
}

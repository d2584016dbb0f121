using OC.Appliance.Diagnostics;
using OC.Appliance.Net;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

// The sessions a user controls (SESSIONS, SESSION_REVOKE, LOGOUT_ALL), the password change, the
// expiry sweep, and ending the connections of sessions that no longer exist
// (docs/protocol.md, "Sessions and passwords").
internal sealed partial class AccountsHandler
{
    /// <summary>
    /// PASSWORD_CHANGE needs a connection that proved the current password this recently: a stolen
    /// session token resumes a session but cannot change the password and lock the owner out.
    /// </summary>
    public static readonly TimeSpan FreshLoginWindow = TimeSpan.FromMinutes(5);

    public void OnSessions(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload))
        {
            Replies.Malformed(session, requestId, "SESSIONS");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        storage.Post(new ListSessionsJob(this, session, requestId, session.UserNumber, time.GetUtcNow().UtcDateTime, SessionTtl));
    }

    internal void OnSessionsListed(ClientSession session, uint requestId, List<SessionRecord> stored)
    {
        var connected = ConnectedSessions(session.UserNumber);
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var entries = stored.Select(s => new SessionEntry(
            (uint)s.Id, s.Device, s.Address, UnixMs(s.CreatedUtc),
            connected.Contains(s.Id) ? nowMs : UnixMs(s.LastUsedUtc),
            Current: session.State == SessionState.Authenticated && s.Id == session.SessionId,
            Connected: connected.Contains(s.Id))).ToList();
        // A connected session is in use now: most recently used first puts those first.
        entries.Sort((a, b) => b.LastUsedUnixMs.CompareTo(a.LastUsedUnixMs) is var c && c != 0 ? c : a.Id.CompareTo(b.Id));
        SessionList.Write(session.Connection.Output, requestId, entries);
        session.Connection.Commit();
    }

    public void OnSessionRevoke(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!SessionRevoke.TryRead(payload, out uint id))
        {
            Replies.Malformed(session, requestId, "SESSION_REVOKE");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (id is 0 or > int.MaxValue)
        {
            Replies.Error(session, requestId, ErrorCode.SessionNotFound, $"you have no session {id:x8}");
            return;
        }
        storage.Post(new RevokeSessionJob(this, session, requestId, session.UserNumber, (int)id));
    }

    internal void OnSessionRevoked(ClientSession session, uint requestId, int user, int id, bool found)
    {
        if (!found)
        {
            if (!session.IsClosed) Replies.Error(session, requestId, ErrorCode.SessionNotFound, $"you have no session {id:x8}");
            return;
        }
        Log.Info("accounts.session_revoked", $"{user}: session {id:x8}");
        EndSessions(user, [id], "this session was revoked; log in again", except: session);
        if (session.IsClosed) return;
        // Revoking the asking connection's own session logs it out, as LOGOUT would.
        if (session.State == SessionState.Authenticated && session.UserNumber == user && session.SessionId == id) LogOutConnection(session);
        Replies.Ok(session, requestId);
    }

    public void OnLogoutAll(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload))
        {
            Replies.Malformed(session, requestId, "LOGOUT_ALL");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        int user = session.UserNumber;
        LogOutConnection(session);
        storage.Post(new EndAllSessionsJob(this, session, requestId, user));
    }

    internal void OnAllSessionsEnded(ClientSession session, uint requestId, int user, List<int> ended)
    {
        Log.Info("accounts.logged_out_everywhere", $"{user}: {ended.Count} session(s) ended");
        EndSessions(user, ended, "every session of this account was logged out (oc logout --all); log in again", except: session);
        if (!session.IsClosed) Replies.Ok(session, requestId);
    }

    public void OnPasswordChange(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!PasswordVerifier.TryReadChange(payload, out var verifier))
        {
            Replies.Malformed(session, requestId, "PASSWORD_CHANGE");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (session.PasswordLoginMs == 0 || time.NowMs() - session.PasswordLoginMs > FreshLoginWindow.TotalMilliseconds)
        {
            Replies.Error(session, requestId, ErrorCode.FreshLoginRequired,
                $"log in with the current password on this connection first (the change must follow within {FreshLoginWindow.TotalMinutes:0} minutes)");
            return;
        }
        if (!AccountRules.TryValidateVerifier(verifier, out string error))
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, error);
            return;
        }
        storage.Post(new ChangePasswordJob(this, session, requestId, session.UserNumber, session.SessionId, verifier));
    }

    internal void OnPasswordChanged(ClientSession session, uint requestId, int user, ChangePasswordJob.Outcome outcome, List<int> ended)
    {
        switch (outcome)
        {
            case ChangePasswordJob.Outcome.SameSalt:
                if (!session.IsClosed) Replies.Error(session, requestId, ErrorCode.InvalidArgument, "the new password needs a new salt");
                return;
            case ChangePasswordJob.Outcome.UnknownUser:
                if (!session.IsClosed) Replies.Error(session, requestId, ErrorCode.UnknownUser, "this account no longer exists");
                return;
        }
        Log.Info("accounts.password_changed", $"{user}: {ended.Count} other session(s) ended");
        EndSessions(user, ended, "the password was changed; log in again", except: session);
        if (!session.IsClosed) Replies.Ok(session, requestId);
    }

    /// <summary>
    /// Hourly (a loop timer): the sessions connected now count as used now; those unused for
    /// <see cref="SessionTtl"/> are deleted. Expiry itself does not wait for this: RESUME and
    /// SESSIONS check the time-to-live on their own; the sweep only keeps the database small.
    /// </summary>
    public void SweepSessions()
    {
        var live = new HashSet<(int User, int Id)>();
        foreach (var user in presence.All)
        {
            foreach (var session in user.Sessions)
            {
                if (session.SessionId != 0) live.Add((user.Number, session.SessionId));
            }
        }
        storage.Post(new SweepSessionsJob(live, time.GetUtcNow().UtcDateTime, SessionTtl));
    }

    /// <summary>"30 days", "12 hours": the time-to-live as the refusal of an expired session says it.</summary>
    internal static string DescribeTtl(TimeSpan ttl) =>
        ttl.TotalDays >= 1 && ttl.TotalDays == Math.Floor(ttl.TotalDays) ? $"{ttl.TotalDays:0} day{(ttl.TotalDays == 1 ? "" : "s")}"
        : ttl.TotalHours >= 1 && ttl.TotalHours == Math.Floor(ttl.TotalHours) ? $"{ttl.TotalHours:0} hour{(ttl.TotalHours == 1 ? "" : "s")}"
        : $"{ttl.TotalSeconds:0} seconds";

    /// <summary>
    /// The sessions <paramref name="ended"/> of <paramref name="user"/> no longer exist: every
    /// connection logged in on one of them, but <paramref name="except"/> (the asker, who gets a
    /// reply instead), gets ERROR SessionEnded and is closed. Their RESUME is refused from now on:
    /// the sessions were deleted on disk before this runs.
    /// </summary>
    private void EndSessions(int user, List<int> ended, string why, ClientSession? except)
    {
        if (ended.Count == 0 || presence.Find(user) is not { } online) return;
        // A copy: closing a connection takes its session out of the list being walked.
        foreach (var session in online.Sessions.ToArray())
        {
            if (ReferenceEquals(session, except) || session.IsClosed || !ended.Contains(session.SessionId)) continue;
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.SessionEnded, why);
        }
    }

    /// <summary>Ends this connection's login, as LOGOUT does (its token is the caller's business).</summary>
    private void LogOutConnection(ClientSession session)
    {
        if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("accounts.logged_out", $"{session.UserNumber} on #{session.Connection.Id}");
        // Its uploads and downloads belong to the user who logs out, not to whoever logs in next.
        EndLogin(session);
        session.State = SessionState.Anonymous;
        session.UserNumber = 0;
        session.SessionToken = null;
        session.SessionId = 0;
        session.PasswordLoginMs = 0;
    }

    private HashSet<int> ConnectedSessions(int user)
    {
        var ids = new HashSet<int>();
        if (presence.Find(user) is { } online)
        {
            foreach (var session in online.Sessions)
            {
                if (!session.IsClosed) ids.Add(session.SessionId);
            }
        }
        return ids;
    }

    private static long UnixMs(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();
}

using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Sessions;

/// <summary>The answers every handler gives the same way: errors, protocol violations, OK, and the login check.</summary>
internal static class Replies
{
    /// <summary>Sends an ERROR reply; the connection stays open.</summary>
    public static void Error(ClientSession session, uint requestId, ErrorCode code, string message, uint retryAfterSeconds = 0)
    {
        ErrorReply.Write(session.Connection.Output, requestId, new ErrorReply(code, retryAfterSeconds, message));
        session.Connection.Commit();
    }

    /// <summary>Sends an ERROR and closes the connection (protocol violations).</summary>
    public static void Fatal(ClientSession session, uint requestId, ErrorCode code, string message)
    {
        var connection = session.Connection;
        if (connection.IsClosed) return;
        Log.Info("protocol.closing", session.Address, $"#{connection.Id} {session.Address}: {code}: {message}");
        ErrorReply.Write(connection.Output, requestId, new ErrorReply(code, 0, message));
        connection.Flush();
        connection.Close($"{code}: {message}");
    }

    /// <summary>A payload that does not parse as its type: a protocol violation.</summary>
    public static void Malformed(ClientSession session, uint requestId, string frameName) =>
        Fatal(session, requestId, ErrorCode.MalformedFrame, $"malformed {frameName} payload");

    public static void Ok(ClientSession session, uint requestId)
    {
        EmptyFrame.Write(session.Connection.Output, FrameType.Ok, requestId);
        session.Connection.Commit();
    }

    /// <summary>True for a page size of 1..500 (HISTORY, ROOM_HISTORY); otherwise answers INVALID_ARGUMENT.</summary>
    public static bool RequireHistoryLimit(ClientSession session, uint requestId, int limit)
    {
        if (limit is > 0 and <= OC.Protocol.ProtocolLimits.MaxHistoryPage) return true;
        Error(session, requestId, ErrorCode.InvalidArgument, $"the limit must be 1..{OC.Protocol.ProtocolLimits.MaxHistoryPage}");
        return false;
    }

    /// <summary>True when the session is logged in; otherwise answers NOT_AUTHENTICATED.</summary>
    public static bool RequireLogin(ClientSession session, uint requestId)
    {
        if (session.State == SessionState.Authenticated) return true;
        Error(session, requestId, ErrorCode.NotAuthenticated, "log in first");
        return false;
    }

    /// <summary>
    /// True when the session may make one more request of <paramref name="kind"/> now (per user,
    /// or per address before a login); otherwise answers RATE_LIMITED with the wait. Asked before
    /// any work is done, so a refused request costs nothing and may simply be sent again.
    /// </summary>
    public static bool WithinRate(ClientSession session, uint requestId, RateLimits limits, RateKind kind)
    {
        uint retryAfter;
        bool within = kind.PerAddress()
            ? limits.TryTake(kind, session.Address, out retryAfter)
            : limits.TryTake(kind, session.UserNumber, out retryAfter);
        if (within) return true;
        var limit = limits.Settings[kind]!.Value;
        string who = kind.PerAddress() ? $"from {session.Address}" : $"for {session.UserNumber:D6}";
        Log.Warn("limits.rate_limited", session.Address, $"#{session.Connection.Id} {kind.Name()} {who}: over {limit} ({limits.Limited(kind)} refused so far)");
        Error(session, requestId, ErrorCode.RateLimited, $"too many {kind.Plural()} (at most {limit.Describe()}); try again in {retryAfter} s", retryAfter);
        return false;
    }
}

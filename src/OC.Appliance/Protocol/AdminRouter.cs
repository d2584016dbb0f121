using OC.Appliance.Diagnostics;
using OC.Appliance.Net;
using OC.Appliance.Sessions;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Protocol;

/// <summary>
/// The frames of the admin socket (docs/protocol.md, "The admin socket"): HELLO, PING and the
/// ADMIN_ requests, handled by the same handlers, storage worker and loop as the network's. There
/// is no login: reaching the socket is the authentication (<see cref="AdminSocket"/>). Loop thread only.
/// </summary>
internal sealed class AdminRouter(ApplianceFeatures features, ConnectionLimits limits, ApplianceIdentity identity, TimeProvider time) : IFrameSink
{
    private readonly AnonymousSessions _sessions = new(limits.MaxAnonymous, limits.MaxAnonymous);

    public void OnOpened(Connection connection)
    {
        if (!_sessions.TryAdmit(null, out string? refusal))
        {
            Log.Warn("admin.refused", $"#{connection.Id}: {refusal}");
            ErrorReply.Write(connection.Output, Frame.NoRequest, new ErrorReply(ErrorCode.TooManyConnections, 0, refusal!));
            connection.Flush();
            connection.Close(refusal!);
            return;
        }
        connection.Session = new ClientSession(connection, null, limits, _sessions, time);
    }

    public void OnFrame(Connection connection, in FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (connection.Session is not ClientSession session) return;
        uint id = header.RequestId;
        if (session.State == SessionState.AwaitingHello)
        {
            if (header.Type != FrameType.Hello) Replies.Fatal(session, id, ErrorCode.UnexpectedFrame, "HELLO must be the first frame");
            else RequestRouter.OnHello(session, id, payload, limits, identity);
            return;
        }
        if (id == Frame.NoRequest)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.MalformedFrame, "a request needs a non-zero request id");
            return;
        }
        switch (header.Type)
        {
            case FrameType.Ping:
                if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, id, "PING"); return; }
                EmptyFrame.Write(session.Connection.Output, FrameType.Pong, id);
                session.Connection.Commit();
                return;
            case FrameType.AdminUsers: features.Accounts.OnAdminUsers(session, id, payload); return;
            case FrameType.AdminSetPassword: features.Accounts.OnAdminSetPassword(session, id, payload); return;
            case FrameType.AdminDeleteUser: features.Accounts.OnAdminDeleteUser(session, id, payload); return;
            case FrameType.AdminSnapshot: features.Snapshots.OnAdminSnapshot(session, id, payload); return;
            default:
                Replies.Error(session, id, ErrorCode.UnknownFrameType, $"the admin socket does not serve frame type 0x{(ushort)header.Type:x4}");
                return;
        }
    }

    public void OnFramingError(Connection connection, FrameStatus status)
    {
        string text = status == FrameStatus.TooLarge ? "frame too large for the admin socket" : "frame length below the minimum of 6";
        ErrorReply.Write(connection.Output, Frame.NoRequest,
            new ErrorReply(status == FrameStatus.TooLarge ? ErrorCode.FrameTooLarge : ErrorCode.MalformedFrame, 0, text));
        connection.Flush();
    }

    public void OnClosed(Connection connection, string reason)
    {
        if (connection.Session is ClientSession session) session.OnClosed();
    }

    public void OnIdleCheck(Connection connection, long nowMs)
    {
        if (connection.Session is not ClientSession session || session.InFlight > 0) return;
        if (nowMs - connection.LastActivityMs > limits.IdleTimeout.TotalMilliseconds)
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.IdleTimeout, $"idle for {limits.IdleTimeout.TotalSeconds:0} seconds");
    }

    public void OnOutputDrained(Connection connection) { }
}

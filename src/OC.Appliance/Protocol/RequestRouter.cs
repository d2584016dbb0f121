using System.Net;
using OC.Appliance.Accounts;
using OC.Appliance.Chat;
using OC.Appliance.Diagnostics;
using OC.Appliance.Files;
using OC.Appliance.Friends;
using OC.Appliance.Limits;
using OC.Appliance.Net;
using OC.Appliance.Sessions;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Protocol;

/// <summary>
/// Acts on whole frames: the handshake, the order of things (docs/protocol.md, "Connection
/// states"), and dispatching each request to the handler of its feature. Connection-level
/// violations get an ERROR with request id 0 and close that connection only. Loop thread only.
/// </summary>
/// <remarks>
/// The router knows the features; they do not know it or each other (an architecture test keeps
/// it so). What they share is in <c>Sessions</c>: the session, replies, the request job, presence,
/// and <see cref="SessionEvents"/>. A new feature is a handler built in <see cref="ApplianceFeatures"/>
/// and a few cases in <see cref="Dispatch"/>.
/// </remarks>
internal sealed class RequestRouter(ApplianceFeatures features, ConnectionLimits limits, ApplianceIdentity identity, TimeProvider time) : IFrameSink
{
    private readonly AnonymousSessions _anonymous = new(limits.MaxAnonymousPerAddress, limits.MaxAnonymous);

    public ApplianceFeatures Features => features;

    public ApplianceIdentity Identity => identity;

    public long RequestsHandled { get; private set; }

    /// <summary>Connections not logged in, and those refused at the caps (status page).</summary>
    public AnonymousSessions Anonymous => _anonymous;

    public void OnOpened(Connection connection)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (!features.Limits.TryTake(RateKind.Connection, address, out uint retryAfter))
        {
            var limit = features.Limits.Settings[RateKind.Connection]!.Value;
            Log.Warn("limits.rate_limited", address, $"#{connection.Id} connection from {address}: over {limit} ({features.Limits.Limited(RateKind.Connection)} refused so far)");
            Refuse(connection, $"too many new connections from {address} (at most {limit.Describe()}); try again in {retryAfter} s", retryAfter);
            return;
        }
        if (!_anonymous.TryAdmit(address, out string? refusal))
        {
            Log.Warn("protocol.refused", address, $"#{connection.Id} {address}: {refusal}");
            Refuse(connection, refusal!, 0);
            return;
        }
        connection.Session = new ClientSession(connection, address, limits, _anonymous, time);
    }

    /// <summary>Refused before it costs anything: no session, one short ERROR, closed.</summary>
    private static void Refuse(Connection connection, string reason, uint retryAfterSeconds)
    {
        ErrorReply.Write(connection.Output, Frame.NoRequest, new ErrorReply(ErrorCode.TooManyConnections, retryAfterSeconds, reason));
        connection.Flush();
        connection.Close($"{ErrorCode.TooManyConnections}: {reason}");
    }

    public void OnFrame(Connection connection, in FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (connection.Session is not ClientSession session) return; // refused at open
        RequestsHandled++;

        if (session.State == SessionState.AwaitingHello)
        {
            if (header.Type != FrameType.Hello)
            {
                Replies.Fatal(session, header.RequestId, ErrorCode.UnexpectedFrame, "HELLO must be the first frame");
                return;
            }
            OnHello(session, header.RequestId, payload, limits, identity);
            return;
        }

        // FILE_CHUNK and FILE_ACK are stream frames, not requests: request id 0 is theirs.
        if (header.Type == FrameType.FileChunk)
        {
            features.Uploads.OnFileChunk(session, payload);
            return;
        }
        if (header.Type == FrameType.FileAck)
        {
            features.Downloads.OnFileAck(session, payload);
            return;
        }
        if (header.RequestId == Frame.NoRequest && header.Type != FrameType.Pong)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.MalformedFrame, "a request needs a non-zero request id");
            return;
        }
        Dispatch(session, header, payload);
    }

    private void Dispatch(ClientSession session, in FrameHeader header, ReadOnlySpan<byte> payload)
    {
        uint id = header.RequestId;
        switch (header.Type)
        {
            case FrameType.Ping:
                if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, id, header.Type.ToString()); return; }
                EmptyFrame.Write(session.Connection.Output, FrameType.Pong, id);
                session.Connection.Commit();
                return;
            case FrameType.Pong:
                return;
            case FrameType.Register: features.Accounts.OnRegister(session, id, payload); return;
            case FrameType.LoginStart: features.Accounts.OnLoginStart(session, id, payload); return;
            case FrameType.LoginFinish: features.Accounts.OnLoginFinish(session, id, payload); return;
            case FrameType.Resume: features.Accounts.OnResume(session, id, payload); return;
            case FrameType.Logout: features.Accounts.OnLogout(session, id, payload); return;
            case FrameType.WhoAmI: features.Accounts.OnWhoAmI(session, id, payload); return;
            case FrameType.Sessions: features.Accounts.OnSessions(session, id, payload); return;
            case FrameType.SessionRevoke: features.Accounts.OnSessionRevoke(session, id, payload); return;
            case FrameType.LogoutAll: features.Accounts.OnLogoutAll(session, id, payload); return;
            case FrameType.PasswordChange: features.Accounts.OnPasswordChange(session, id, payload); return;
            case FrameType.FindUser: features.Friends.OnFindUser(session, id, payload); return;
            case FrameType.FriendAdd: features.Friends.OnFriendAdd(session, id, payload); return;
            case FrameType.FriendRemove: features.Friends.OnFriendRemove(session, id, payload); return;
            case FrameType.FriendList: features.Friends.OnFriendList(session, id, payload); return;
            case FrameType.OnlineList: features.Friends.OnOnlineList(session, id, payload); return;
            case FrameType.FriendRespond: features.Friends.OnFriendRespond(session, id, payload); return;
            case FrameType.FriendRequests: features.Friends.OnFriendRequests(session, id, payload); return;
            case FrameType.Block: features.Friends.OnBlock(session, id, payload); return;
            case FrameType.Unblock: features.Friends.OnUnblock(session, id, payload); return;
            case FrameType.BlockList: features.Friends.OnBlockList(session, id, payload); return;
            case FrameType.Send: features.Messages.OnSend(session, id, payload); return;
            case FrameType.Sync: features.Messages.OnSync(session, id, payload); return;
            case FrameType.History: features.Messages.OnHistory(session, id, payload); return;
            case FrameType.FileOffer: features.Uploads.OnFileOffer(session, id, payload); return;
            case FrameType.FileSeal: features.Uploads.OnFileSeal(session, id, payload); return;
            case FrameType.FileList: features.Downloads.OnFileList(session, id, payload); return;
            case FrameType.FileGet: features.Downloads.OnFileGet(session, id, payload); return;
            case FrameType.RoomCreate: features.Rooms.OnCreate(session, id, payload); return;
            case FrameType.RoomInvite: features.Rooms.OnInvite(session, id, payload); return;
            case FrameType.RoomRespond: features.Rooms.OnRespond(session, id, payload); return;
            case FrameType.RoomInvitations: features.Rooms.OnInvitations(session, id, payload); return;
            case FrameType.RoomJoin: features.Rooms.OnJoin(session, id, payload); return;
            case FrameType.RoomLeave: features.Rooms.OnLeave(session, id, payload); return;
            case FrameType.RoomKick: features.Rooms.OnKick(session, id, payload); return;
            case FrameType.RoomOwner: features.Rooms.OnOwner(session, id, payload); return;
            case FrameType.RoomList: features.Rooms.OnList(session, id, payload); return;
            case FrameType.RoomMembers: features.Rooms.OnMembers(session, id, payload); return;
            case FrameType.RoomSend: features.RoomMessages.OnSend(session, id, payload); return;
            case FrameType.RoomHistory: features.RoomMessages.OnHistory(session, id, payload); return;
            case FrameType.Hello:
                Replies.Fatal(session, id, ErrorCode.UnexpectedFrame, "HELLO was already sent on this connection");
                return;
            case FrameType.Welcome or FrameType.Error or FrameType.Ok or FrameType.Registered
                or FrameType.LoginChallenge or FrameType.LoggedIn or FrameType.UserInfo or FrameType.UserCard
                or FrameType.Friends or FrameType.FriendAdded or FrameType.FriendRemoved or FrameType.Presence
                or FrameType.OnlineUsers or FrameType.Sent or FrameType.Message or FrameType.Synced
                or FrameType.Delivered or FrameType.HistoryPage or FrameType.FileAccepted or FrameType.FileProgress
                or FrameType.FileEntries or FrameType.FileData or FrameType.FileReceived
                or FrameType.FriendRequest or FrameType.FriendRequestList or FrameType.BlockedUsers or FrameType.SessionList
                or FrameType.RoomInfo or FrameType.RoomInvitation or FrameType.RoomInvitationList or FrameType.Rooms
                or FrameType.RoomMemberList or FrameType.RoomEvent or FrameType.RoomMessage or FrameType.RoomHistoryPage:
                Replies.Fatal(session, id, ErrorCode.UnexpectedFrame, $"{header.Type} is sent by the appliance, not to it");
                return;
            default:
                // Not fatal: a newer client may try a request this appliance does not know.
                Replies.Error(session, id, ErrorCode.UnknownFrameType, $"unknown frame type 0x{(ushort)header.Type:x4}");
                return;
        }
    }

    public void OnFramingError(Connection connection, FrameStatus status)
    {
        if (connection.Session is not ClientSession session) return;
        var (code, text) = status == FrameStatus.TooLarge
            ? (ErrorCode.FrameTooLarge, connection.MaxPayload < limits.MaxPayload
                ? $"frame larger than the maximum payload of {connection.MaxPayload} bytes before a login"
                : $"frame larger than the maximum payload of {limits.MaxPayload} bytes")
            : (ErrorCode.MalformedFrame, "frame length below the minimum of 6");
        Log.Warn("protocol.bad_frame", session.Address, $"#{connection.Id} {session.Address}: {text}; closing");
        ErrorReply.Write(connection.Output, Frame.NoRequest, new ErrorReply(code, 0, text));
        connection.Flush();
    }

    public void OnClosed(Connection connection, string reason)
    {
        if (connection.Session is not ClientSession session) return;
        features.Accounts.OnClosed(session);
        session.OnClosed();
    }

    public void OnIdleCheck(Connection connection, long nowMs)
    {
        if (connection.Session is not ClientSession session) return;
        if (session.State == SessionState.AwaitingHello && nowMs - session.OpenedMs > limits.HelloTimeout.TotalMilliseconds)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.IdleTimeout, "no HELLO in time");
        }
        else if (session.State != SessionState.Authenticated && session.InFlight == 0
            && nowMs - session.AnonymousSinceMs > limits.LoginTimeout.TotalMilliseconds)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.IdleTimeout, $"no login within {limits.LoginTimeout.TotalSeconds:0} seconds");
        }
        else if (session.InFlight == 0 && nowMs - connection.LastActivityMs > limits.IdleTimeout.TotalMilliseconds)
        {
            Replies.Fatal(session, Frame.NoRequest, ErrorCode.IdleTimeout, $"idle for {limits.IdleTimeout.TotalSeconds:0} seconds");
        }
    }

    public void OnOutputDrained(Connection connection)
    {
        if (connection.Session is ClientSession session) features.Downloads.OnOutputDrained(session);
    }

    /// <summary>HELLO → WELCOME, or the refusal that closes the connection; the admin socket shakes hands the same way.</summary>
    internal static void OnHello(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, ConnectionLimits limits, ApplianceIdentity identity)
    {
        if (!Hello.TryRead(payload, out var hello))
        {
            Replies.Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed HELLO");
            return;
        }
        if (hello.MinVersion > ProtocolLimits.Version || hello.MaxVersion < ProtocolLimits.Version)
        {
            Replies.Fatal(session, requestId, ErrorCode.UnsupportedVersion,
                $"this appliance speaks protocol version {ProtocolLimits.Version} only; the client asked for {hello.MinVersion}..{hello.MaxVersion}");
            return;
        }
        session.State = SessionState.Anonymous;
        Welcome.Write(session.Connection.Output, requestId, new Welcome(
            ProtocolLimits.Version,
            (uint)limits.MaxPayload,
            (uint)limits.IdleTimeout.TotalSeconds,
            (uint)limits.MaxInFlight,
            identity.Name,
            identity.Id,
            identity.Software));
        session.Connection.Commit();
    }
}

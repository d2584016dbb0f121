using System.Net;
using OC.Appliance.Accounts;
using OC.Appliance.Chat;
using OC.Appliance.Diagnostics;
using OC.Appliance.Files;
using OC.Appliance.Net;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Protocol;

/// <summary>
/// Acts on whole frames: the handshake, the order of things (docs/protocol.md, "Connection
/// states"), and routing each request to its handler. Connection-level violations get an ERROR
/// with request id 0 and close that connection only. Loop thread only.
/// </summary>
internal sealed partial class RequestRouter : IFrameSink
{
    private readonly StorageWorker _storage;
    private readonly ConnectionLimits _limits;
    private readonly ApplianceIdentity _identity;

    private readonly MessageWorker _messages;
    private readonly FileWorker _files;

    public RequestRouter(StorageWorker storage, MessageWorker messages, FileWorker files, ConnectionLimits limits, ApplianceIdentity identity)
    {
        _storage = storage;
        _messages = messages;
        _files = files;
        _limits = limits;
        _identity = identity;
    }

    public LoginThrottle Throttle { get; } = new();

    public PresenceRegistry Presence { get; } = new();

    public ApplianceIdentity Identity => _identity;

    /// <summary>The file worker, for its counters (status page).</summary>
    internal FileWorker Files => _files;

    public long RequestsHandled { get; private set; }

    public void OnOpened(Connection connection)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        connection.Session = new ClientSession(connection, address);
    }

    public void OnFrame(Connection connection, in FrameHeader header, ReadOnlySpan<byte> payload)
    {
        var session = (ClientSession)connection.Session!;
        RequestsHandled++;

        if (session.State == SessionState.AwaitingHello)
        {
            if (header.Type != FrameType.Hello)
            {
                Fatal(session, header.RequestId, ErrorCode.UnexpectedFrame, "HELLO must be the first frame");
                return;
            }
            OnHello(session, header.RequestId, payload);
            return;
        }

        // FILE_CHUNK and FILE_ACK are stream frames, not requests: request id 0 is theirs.
        if (header.Type == FrameType.FileChunk)
        {
            OnFileChunk(session, payload);
            return;
        }
        if (header.Type == FrameType.FileAck)
        {
            OnFileAck(session, payload);
            return;
        }
        if (header.RequestId == Frame.NoRequest && header.Type != FrameType.Pong)
        {
            Fatal(session, Frame.NoRequest, ErrorCode.MalformedFrame, "a request needs a non-zero request id");
            return;
        }

        switch (header.Type)
        {
            case FrameType.Ping:
                if (!EmptyFrame.TryRead(payload)) { Malformed(session, header); return; }
                EmptyFrame.Write(session.Connection.Output, FrameType.Pong, header.RequestId);
                session.Connection.Commit();
                return;
            case FrameType.Pong:
                return;
            case FrameType.Register: OnRegister(session, header.RequestId, payload); return;
            case FrameType.LoginStart: OnLoginStart(session, header.RequestId, payload); return;
            case FrameType.LoginFinish: OnLoginFinish(session, header.RequestId, payload); return;
            case FrameType.Resume: OnResume(session, header.RequestId, payload); return;
            case FrameType.Logout: OnLogout(session, header.RequestId, payload); return;
            case FrameType.WhoAmI: OnWhoAmI(session, header.RequestId, payload); return;
            case FrameType.FindUser: OnFindUser(session, header.RequestId, payload); return;
            case FrameType.FriendAdd: OnFriendAdd(session, header.RequestId, payload); return;
            case FrameType.FriendRemove: OnFriendRemove(session, header.RequestId, payload); return;
            case FrameType.FriendList: OnFriendList(session, header.RequestId, payload); return;
            case FrameType.OnlineList: OnOnlineList(session, header.RequestId, payload); return;
            case FrameType.Send: OnSend(session, header.RequestId, payload); return;
            case FrameType.Sync: OnSync(session, header.RequestId, payload); return;
            case FrameType.History: OnHistory(session, header.RequestId, payload); return;
            case FrameType.FileOffer: OnFileOffer(session, header.RequestId, payload); return;
            case FrameType.FileSeal: OnFileSeal(session, header.RequestId, payload); return;
            case FrameType.FileList: OnFileList(session, header.RequestId, payload); return;
            case FrameType.FileGet: OnFileGet(session, header.RequestId, payload); return;
            case FrameType.Hello:
                Fatal(session, header.RequestId, ErrorCode.UnexpectedFrame, "HELLO was already sent on this connection");
                return;
            case FrameType.Welcome or FrameType.Error or FrameType.Ok or FrameType.Registered
                or FrameType.LoginChallenge or FrameType.LoggedIn or FrameType.UserInfo or FrameType.UserCard
                or FrameType.Friends or FrameType.FriendAdded or FrameType.FriendRemoved or FrameType.Presence
                or FrameType.OnlineUsers or FrameType.Sent or FrameType.Message or FrameType.Synced
                or FrameType.Delivered or FrameType.HistoryPage or FrameType.FileAccepted or FrameType.FileProgress
                or FrameType.FileEntries or FrameType.FileData or FrameType.FileReceived:
                Fatal(session, header.RequestId, ErrorCode.UnexpectedFrame, $"{header.Type} is sent by the appliance, not to it");
                return;
            default:
                // Not fatal: a newer client may try a request this appliance does not know.
                SendError(session, header.RequestId, ErrorCode.UnknownFrameType, $"unknown frame type 0x{(ushort)header.Type:x4}");
                return;
        }
    }

    public void OnFramingError(Connection connection, FrameStatus status)
    {
        var session = (ClientSession)connection.Session!;
        var (code, text) = status == FrameStatus.TooLarge
            ? (ErrorCode.FrameTooLarge, $"frame larger than the maximum payload of {_limits.MaxPayload} bytes")
            : (ErrorCode.MalformedFrame, "frame length below the minimum of 6");
        Log.Warn("protocol.bad_frame", $"#{connection.Id} {session.Address}: {text}; closing");
        ErrorReply.Write(connection.Output, Frame.NoRequest, new ErrorReply(code, 0, text));
        connection.Flush();
    }

    public void OnClosed(Connection connection, string reason)
    {
        if (connection.Session is not ClientSession session) return;
        OnFilesSessionClosed(session);
        OnSessionClosed(session, reason);
    }

    public void OnIdleCheck(Connection connection, long nowMs)
    {
        var session = (ClientSession)connection.Session!;
        if (session.State == SessionState.AwaitingHello && nowMs - session.OpenedMs > _limits.HelloTimeout.TotalMilliseconds)
        {
            Fatal(session, Frame.NoRequest, ErrorCode.IdleTimeout, "no HELLO in time");
        }
        else if (session.InFlight == 0 && nowMs - connection.LastActivityMs > _limits.IdleTimeout.TotalMilliseconds)
        {
            Fatal(session, Frame.NoRequest, ErrorCode.IdleTimeout, $"idle for {_limits.IdleTimeout.TotalSeconds:0} seconds");
        }
    }

    /// <summary>Sends an ERROR reply; the connection stays open.</summary>
    public void SendError(ClientSession session, uint requestId, ErrorCode code, string message, uint retryAfterSeconds = 0)
    {
        ErrorReply.Write(session.Connection.Output, requestId, new ErrorReply(code, retryAfterSeconds, message));
        session.Connection.Commit();
    }

    /// <summary>Sends an ERROR and closes the connection (protocol violations).</summary>
    public void Fatal(ClientSession session, uint requestId, ErrorCode code, string message)
    {
        var connection = session.Connection;
        if (connection.IsClosed) return;
        Log.Info("protocol.closing", $"#{connection.Id} {session.Address}: {code}: {message}");
        ErrorReply.Write(connection.Output, requestId, new ErrorReply(code, 0, message));
        connection.Flush();
        connection.Close($"{code}: {message}");
    }

    public void Post(ClientSession session, RequestJob job)
    {
        session.InFlight++;
        if (session.InFlight >= _limits.MaxInFlight) session.Connection.PauseReading();
        _storage.Post(job);
    }

    internal void OnJobFinished(ClientSession session)
    {
        session.InFlight--;
        if (session.InFlight <= _limits.MaxInFlight / 2) session.Connection.ResumeReading();
    }

    private void OnHello(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!Hello.TryRead(payload, out var hello))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed HELLO");
            return;
        }
        if (hello.MinVersion > ProtocolLimits.Version || hello.MaxVersion < ProtocolLimits.Version)
        {
            Fatal(session, requestId, ErrorCode.UnsupportedVersion,
                $"this appliance speaks protocol version {ProtocolLimits.Version} only; the client asked for {hello.MinVersion}..{hello.MaxVersion}");
            return;
        }
        session.State = SessionState.Anonymous;
        Welcome.Write(session.Connection.Output, requestId, new Welcome(
            ProtocolLimits.Version,
            (uint)_limits.MaxPayload,
            (uint)_limits.IdleTimeout.TotalSeconds,
            (uint)_limits.MaxInFlight,
            _identity.Name,
            _identity.Id,
            _identity.Software));
        session.Connection.Commit();
    }

    private void Malformed(ClientSession session, in FrameHeader header) =>
        Fatal(session, header.RequestId, ErrorCode.MalformedFrame, $"malformed {header.Type} payload");

    private partial void OnSessionClosed(ClientSession session, string reason);
}

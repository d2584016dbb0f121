namespace OC.Protocol.Framing;

/// <summary>
/// Every frame type of protocol version 1. The numbers are the wire values (docs/protocol.md,
/// "Frame types"); never renumber one. Requests come from the client with a non-zero request id;
/// replies carry that id; events are pushed by the appliance with request id 0.
/// </summary>
public enum FrameType : ushort
{
    // Connection
    Hello = 0x0001,
    Welcome = 0x0002,
    Error = 0x0003,
    Ping = 0x0004,
    Pong = 0x0005,
    Ok = 0x0006,

    // Accounts
    Register = 0x0010,
    Registered = 0x0011,
    LoginStart = 0x0012,
    LoginChallenge = 0x0013,
    LoginFinish = 0x0014,
    LoggedIn = 0x0015,
    Resume = 0x0016,
    Logout = 0x0017,
    WhoAmI = 0x0018,
    UserInfo = 0x0019,

    // Sessions and passwords
    Sessions = 0x001A,
    SessionList = 0x001B,
    SessionRevoke = 0x001C,
    LogoutAll = 0x001D,
    PasswordChange = 0x001E,

    // Friends and presence
    FindUser = 0x0020,
    UserCard = 0x0021,
    FriendAdd = 0x0022,
    FriendRemove = 0x0023,
    FriendList = 0x0024,
    Friends = 0x0025,
    FriendAdded = 0x0026,
    FriendRemoved = 0x0027,
    Presence = 0x0028,
    OnlineList = 0x0029,
    OnlineUsers = 0x002A,

    // Friend consent and blocking (0x002B..0x002F, continued at 0x0070)
    FriendRequest = 0x002B,
    FriendRespond = 0x002C,
    FriendRequests = 0x002D,
    FriendRequestList = 0x002E,
    Block = 0x002F,
    Unblock = 0x0070,
    BlockList = 0x0071,
    BlockedUsers = 0x0072,

    // Messages
    Send = 0x0030,
    Sent = 0x0031,
    Message = 0x0032,
    Sync = 0x0033,
    Synced = 0x0034,
    Delivered = 0x0035,
    History = 0x0036,
    HistoryPage = 0x0037,

    // Files
    FileOffer = 0x0040,
    FileAccepted = 0x0041,
    FileChunk = 0x0042,
    FileProgress = 0x0043,
    FileList = 0x0044,
    FileEntries = 0x0045,
    FileGet = 0x0046,
    FileData = 0x0047,
    FileAck = 0x0048,
    FileReceived = 0x0049,
    FileSeal = 0x004A,

    // Rooms (docs/protocol.md, "Rooms")
    RoomCreate = 0x0050,
    RoomInfo = 0x0051,
    RoomInvite = 0x0052,
    RoomInvitation = 0x0053,
    RoomRespond = 0x0054,
    RoomInvitations = 0x0055,
    RoomInvitationList = 0x0056,
    RoomJoin = 0x0057,
    RoomLeave = 0x0058,
    RoomKick = 0x0059,
    RoomOwner = 0x005A,
    RoomList = 0x005B,
    Rooms = 0x005C,
    RoomMembers = 0x005D,
    RoomMemberList = 0x005E,
    RoomEvent = 0x005F,

    // Room messages (docs/protocol.md, "Room messages")
    RoomSend = 0x0060,
    RoomMessage = 0x0061,
    RoomHistory = 0x0062,
    RoomHistoryPage = 0x0063,

    // The admin socket only (docs/protocol.md, "The admin socket"); unknown on the TCP port
    AdminUsers = 0x0078,
    AdminUserPage = 0x0079,
    AdminSetPassword = 0x007A,
    AdminDeleteUser = 0x007B,
    AdminSnapshot = 0x007C,
    AdminSnapshotTaken = 0x007D,
}

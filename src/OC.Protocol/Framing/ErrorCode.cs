namespace OC.Protocol.Framing;

/// <summary>
/// Error codes carried by ERROR frames (docs/protocol.md, "Errors"). Codes below 100 are
/// about the connection and are followed by the appliance closing it; codes from 100 up
/// answer one request and the connection carries on.
/// </summary>
public enum ErrorCode : ushort
{
    // Fatal: the appliance closes the connection after sending these.
    MalformedFrame = 1,
    FrameTooLarge = 2,
    UnexpectedFrame = 3,
    UnsupportedVersion = 4,
    SlowConsumer = 5,
    IdleTimeout = 6,
    ShuttingDown = 7,
    TooManyAttempts = 8,
    TooManyConnections = 9,

    /// <summary>Sent in plaintext to a client that spoke plaintext to a TLS port (docs/protocol.md, "Connecting").</summary>
    TlsRequired = 10,

    // Per request: the connection stays open.
    UnknownFrameType = 100,
    InvalidArgument = 101,
    NotAuthenticated = 102,
    AlreadyAuthenticated = 103,
    AuthenticationFailed = 104,
    UnknownUser = 105,
    Throttled = 106,
    InvalidSession = 107,
    StorageFailure = 108,
    ServerFull = 109,
    AlreadyFriends = 110,
    NotFriends = 111,
    FileNotFound = 112,
    FileTooLarge = 113,
    QuotaExceeded = 114,
    FileRejected = 115,
    Blocked = 116,
    RequestPending = 117,
    NotRequested = 118,
    TooManyPendingRequests = 119,

    /// <summary>Over a rate limit (docs/protocol.md, "Rate limits"): nothing was done; send it again after retryAfterSeconds.</summary>
    RateLimited = 120,

    // Sessions and passwords. SessionEnded is the one code from 100 up that closes the connection:
    // it is pushed (request id 0) to a connection whose session another one ended.
    SessionEnded = 121,
    FreshLoginRequired = 122,
    SessionNotFound = 123,

    /// <summary>
    /// A login whose channel binding does not fit the connection (docs/protocol.md, "Login"): over
    /// TLS a LOGIN_START without SCRAM-SHA-256-PLUS, or a LOGIN_FINISH bound to another certificate;
    /// on plaintext a LOGIN_START asking for a binding. A failed login; the connection stays open.
    /// </summary>
    ChannelBindingMismatch = 124,

    // Rooms (docs/protocol.md, "Rooms")
    UnknownRoom = 125,
    NotRoomMember = 126,
    NotRoomOwner = 127,
    RoomFull = 128,
    TooManyRooms = 129,
    AlreadyRoomMember = 130,
    NotInvited = 131,
}

public static class ErrorCodes
{
    public static bool ClosesConnection(this ErrorCode code) => (ushort)code < 100 || code == ErrorCode.SessionEnded;
}

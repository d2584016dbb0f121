using System.Net;
using OC.Appliance.Net;
using OC.Protocol.Security;

namespace OC.Appliance.Protocol;

internal enum SessionState
{
    /// <summary>Connected; only HELLO is allowed.</summary>
    AwaitingHello,
    /// <summary>Handshake done; may register, log in or resume.</summary>
    Anonymous,
    /// <summary>LOGIN_START answered with a challenge; LOGIN_FINISH expected.</summary>
    Authenticating,
    /// <summary>A login or resume is being committed; nothing else until it completes.</summary>
    LoggingIn,
    Authenticated,
}

/// <summary>The protocol state of one connection. Loop thread only.</summary>
internal sealed class ClientSession(Connection connection, IPAddress? address)
{
    public Connection Connection { get; } = connection;

    /// <summary>The client's address, for per-address login throttling.</summary>
    public IPAddress? Address { get; } = address;

    public SessionState State { get; set; } = SessionState.AwaitingHello;

    public long OpenedMs { get; } = Environment.TickCount64;

    public int UserNumber { get; set; }
    public string Nick { get; set; } = "";
    public byte[]? SessionToken { get; set; }

    /// <summary>The SCRAM exchange between LOGIN_START and LOGIN_FINISH.</summary>
    public ScramServer? Scram { get; set; }
    public int ScramUser { get; set; }

    /// <summary>LOGIN_START count since the last successful login on this connection.</summary>
    public int LoginAttempts { get; set; }

    /// <summary>Set when a SYNC ended with nothing more to send: new messages are pushed from then on.</summary>
    public bool Live { get; set; }

    /// <summary>Requests posted to storage and not yet answered.</summary>
    public int InFlight { get; set; }

    /// <summary>This connection's downloads by file id (created at the first FILE_GET).</summary>
    public Dictionary<ulong, Files.FileDownload>? Downloads { get; set; }

    public bool IsClosed => Connection.IsClosed;
}

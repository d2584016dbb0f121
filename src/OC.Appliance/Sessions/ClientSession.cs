using System.Net;
using OC.Appliance.Net;
using OC.Protocol.Security;

namespace OC.Appliance.Sessions;

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

/// <summary>
/// The protocol state of one connection, shared by the router and the feature handlers (each
/// feature keeps its own per-session state in its own handler). Loop thread only.
/// </summary>
internal sealed class ClientSession(Connection connection, IPAddress? address, int maxInFlight, long openedMs)
{
    public Connection Connection { get; } = connection;

    /// <summary>The client's address, for per-address login throttling.</summary>
    public IPAddress? Address { get; } = address;

    public SessionState State { get; set; } = SessionState.AwaitingHello;

    /// <summary>When the connection was opened (milliseconds of the loop's clock).</summary>
    public long OpenedMs { get; } = openedMs;

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

    /// <summary>Requests posted to a worker and not yet answered.</summary>
    public int InFlight { get; private set; }

    public bool IsClosed => Connection.IsClosed;

    /// <summary>A request went to a worker: at the in-flight limit the connection stops reading.</summary>
    public void RequestPosted()
    {
        InFlight++;
        if (InFlight >= maxInFlight) Connection.PauseReading();
    }

    /// <summary>A request's job is back: reading resumes at half the limit (hysteresis, as Kestrel's pause and resume).</summary>
    public void RequestFinished()
    {
        InFlight--;
        if (InFlight <= maxInFlight / 2) Connection.ResumeReading();
    }
}

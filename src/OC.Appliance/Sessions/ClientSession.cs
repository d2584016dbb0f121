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
internal sealed class ClientSession(Connection connection, IPAddress? address, ConnectionLimits limits, AnonymousSessions anonymous, TimeProvider time)
{
    private SessionState _state = SessionState.AwaitingHello;

    public Connection Connection { get; } = connection;

    /// <summary>The client's address, for per-address login throttling.</summary>
    public IPAddress? Address { get; } = address;

    /// <summary>
    /// Where the connection is in the protocol. Logging in lifts the frame limit to the full one and
    /// takes the session out of the anonymous count; logging out puts both back (and restarts the
    /// login deadline).
    /// </summary>
    public SessionState State
    {
        get => _state;
        set
        {
            bool was = _state == SessionState.Authenticated, now = value == SessionState.Authenticated;
            _state = value;
            if (was == now) return;
            if (now)
            {
                anonymous.Remove(Address);
                Connection.MaxPayload = limits.MaxPayload;
            }
            else
            {
                anonymous.Add(Address);
                Connection.MaxPayload = limits.MaxAnonymousPayload;
                AnonymousSinceMs = time.NowMs();
            }
        }
    }

    /// <summary>Since when the connection has been without a login: opened, or its last logout (the login deadline runs from here).</summary>
    public long AnonymousSinceMs { get; private set; } = time.NowMs();

    /// <summary>When the connection was opened (milliseconds of the loop's clock).</summary>
    public long OpenedMs { get; } = time.NowMs();

    public int UserNumber { get; set; }
    public string Nick { get; set; } = "";
    public byte[]? SessionToken { get; set; }

    /// <summary>The logged-in session's id (SESSION_LIST, SESSION_REVOKE); 0 while not logged in.</summary>
    public int SessionId { get; set; }

    /// <summary>When this connection logged in with the password (not RESUME); 0 otherwise. PASSWORD_CHANGE needs a recent one.</summary>
    public long PasswordLoginMs { get; set; }

    /// <summary>The SCRAM exchange between LOGIN_START and LOGIN_FINISH.</summary>
    public ScramServer? Scram { get; set; }
    public int ScramUser { get; set; }

    /// <summary>The StoredKey the exchange checks against: a password changed meanwhile makes the login fail.</summary>
    public byte[]? ScramStoredKey { get; set; }

    /// <summary>The device name LOGIN_START gave, for the session LOGIN_FINISH creates.</summary>
    public string LoginDevice { get; set; } = "";

    /// <summary>The client's address as sessions record it ("" when unknown; IPv4 without the IPv6 mapping).</summary>
    public string AddressText => Address is null ? "" : (Address.IsIPv4MappedToIPv6 ? Address.MapToIPv4() : Address).ToString();

    /// <summary>LOGIN_START count since the last successful login on this connection.</summary>
    public int LoginAttempts { get; set; }

    /// <summary>Set when a SYNC ended with nothing more to send: new messages are pushed from then on.</summary>
    public bool Live { get; set; }

    /// <summary>
    /// Set by the first SYNC that caught up and kept until the session ends: the session makes its
    /// user online to friends (<see cref="PresenceRegistry"/>). Unlike <see cref="Live"/> it stays
    /// set while a later SYNC runs, so a re-SYNC does not flap presence.
    /// </summary>
    public bool Present { get; set; }

    /// <summary>Requests posted to a worker and not yet answered.</summary>
    public int InFlight { get; private set; }

    public bool IsClosed => Connection.IsClosed;

    /// <summary>The connection closed: an anonymous session leaves the anonymous count.</summary>
    public void OnClosed()
    {
        if (_state != SessionState.Authenticated) anonymous.Remove(Address);
    }

    /// <summary>A request went to a worker: at the in-flight limit the connection stops reading.</summary>
    public void RequestPosted()
    {
        InFlight++;
        if (InFlight >= limits.MaxInFlight) Connection.PauseReading();
    }

    /// <summary>A request's job is back: reading resumes at half the limit (hysteresis, as Kestrel's pause and resume).</summary>
    public void RequestFinished()
    {
        InFlight--;
        if (InFlight <= limits.MaxInFlight / 2) Connection.ResumeReading();
    }
}

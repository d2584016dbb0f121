using OC.Protocol.Framing;

namespace OC.Appliance.Net;

/// <summary>Per-connection bounds (docs/protocol.md, "Limits").</summary>
internal sealed record ConnectionLimits
{
    public int MaxPayload { get; init; } = Frame.DefaultMaxPayload;

    /// <summary>Unsent replies and events above this close the connection: its client is not reading.</summary>
    public int MaxOutputBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Requests waiting for storage; above this the connection is not read until half have completed.</summary>
    public int MaxInFlight { get; init; } = 256;

    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    public int MaxConnections { get; init; } = 20_000;

    /// <summary>Bytes of a partial frame a connection may hold on its own; beyond that they come from the <see cref="InputBudget"/>.</summary>
    public int PrivateInputBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Bytes of partial frames all connections may hold beyond their own allowances (issue 11: one
    /// budget no one can exceed). At least one largest frame must fit, or a connection could never
    /// finish one; 64 MiB lets some 250 uploads stream 256 KiB chunks at once on a Pi.
    /// </summary>
    public long SharedInputBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// The payload limit until a login succeeds: HELLO, REGISTER, the SCRAM steps and RESUME fit in
    /// well under 4 KiB, so a stranger can make the appliance hold no more than this per connection.
    /// </summary>
    public int MaxAnonymousPayload { get; init; } = 4096;

    /// <summary>A connection must log in (or resume) this long after it opened or logged out, or it is closed.</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Connections not logged in, from one address: more are refused at once.</summary>
    public int MaxAnonymousPerAddress { get; init; } = 256;

    /// <summary>Connections not logged in, in all: more are refused at once.</summary>
    public int MaxAnonymous { get; init; } = 2048;
}

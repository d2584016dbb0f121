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
}

namespace OC.Appliance.Http;

/// <summary>Bounds of the status page's HTTP server: it is read-only and tiny, so they are tight.</summary>
internal sealed record HttpLimits
{
    /// <summary>Request line and headers together, CRLFs included.</summary>
    public int MaxRequestBytes { get; init; } = 8 * 1024;

    /// <summary>Header lines after the request line.</summary>
    public int MaxHeaderLines { get; init; } = 50;

    /// <summary>From accept to a complete request (a slowloris client is cut off here).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>For the client to take the whole response.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After the response, how long the connection is kept half-open reading (and discarding)
    /// whatever the client still sends, so closing does not reset the connection and lose the
    /// response in flight (a "lingering close", as Apache and nginx do).
    /// </summary>
    public TimeSpan LingerTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes discarded while lingering before the connection is closed regardless.</summary>
    public int MaxLingerBytes { get; init; } = 64 * 1024;

    /// <summary>Open HTTP connections; a new one beyond this is closed at once.</summary>
    public int MaxConnections { get; init; } = 256;
}

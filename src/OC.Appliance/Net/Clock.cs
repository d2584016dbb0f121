namespace OC.Appliance.Net;

/// <summary>The appliance reads monotonic time through an injected <see cref="TimeProvider"/> (a fake one in tests).</summary>
internal static class Clock
{
    /// <summary>Milliseconds of the provider's monotonic clock (as <see cref="Environment.TickCount64"/> for the system one).</summary>
    public static long NowMs(this TimeProvider time) => (long)time.GetElapsedTime(0).TotalMilliseconds;

    /// <summary>Wall-clock time in Unix milliseconds, for what is stored or shown.</summary>
    public static long UnixMs(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}

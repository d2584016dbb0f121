namespace OC.Appliance.Net;

/// <summary>The appliance reads monotonic time through an injected <see cref="TimeProvider"/> (a fake one in tests).</summary>
internal static class Clock
{
    /// <summary>Milliseconds of the provider's monotonic clock (as <see cref="Environment.TickCount64"/> for the system one).</summary>
    /// <remarks>
    /// In integers, not through <see cref="TimeProvider.GetElapsedTime(long)"/>: that goes through a
    /// double, and a fake clock's timestamps (ticks since year 1, about 6e17) are past what a double
    /// holds exactly, so a clock advanced by 1,000 ms could read as 999 or 1,001. Allocates nothing.
    /// </remarks>
    public static long NowMs(this TimeProvider time)
    {
        long timestamp = time.GetTimestamp();
        long frequency = time.TimestampFrequency;
        return timestamp / frequency * 1000 + timestamp % frequency * 1000 / frequency;
    }

    /// <summary>Wall-clock time in Unix milliseconds, for what is stored or shown.</summary>
    public static long UnixMs(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}

namespace OC.CliClient.Chat;

/// <summary>
/// Waits between reconnection attempts: 0.5 s, doubling up to 10 s, each with ±25 % jitter so that
/// the clients of a restarted appliance do not all come back in the same instant.
/// </summary>
internal sealed class Backoff(Random random)
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    private TimeSpan _next = First;

    public TimeSpan Next()
    {
        var delay = _next * (0.75 + (0.5 * random.NextDouble()));
        _next = _next * 2 > Max ? Max : _next * 2;
        return delay;
    }

    /// <summary>After a connection that worked: the next loss starts again from <see cref="First"/>.</summary>
    public void Reset() => _next = First;
}

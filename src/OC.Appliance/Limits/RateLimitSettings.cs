namespace OC.Appliance.Limits;

/// <summary>
/// The limit of each <see cref="RateKind"/> (null: not limited). The defaults fit a busy office;
/// docs/architecture.md ("Rate limits") gives the reasoning behind each number.
/// </summary>
internal sealed class RateLimitSettings
{
    private readonly RateLimit?[] _limits;

    private RateLimitSettings(RateLimit?[] limits) => _limits = limits;

    /// <summary>
    /// Per user: a person types a message a second at most, pastes a few lines at once, or runs a
    /// script that sends a burst: 20 a second with bursts of 60 is far above a person and still
    /// bounds what one account can make the message worker write (a Pi commits some 100,000 a
    /// second in groups). A file offer makes the file worker create a sidecar with two fsyncs:
    /// 5 a second, 30 at once, lets a script send a folder of photos. Friend requests reach
    /// someone else (spam): one every 2 s, 20 at once for a newcomer adding their team. History
    /// pages are disk reads of up to 500 messages: 10 a second, 30 at once pages back fast enough.
    /// Look-ups (FIND_USER) name who owns a number, so they are the way to enumerate users:
    /// 5 a second, 30 at once.
    /// Per address: every account is permanent and takes one of 900,000 numbers: 10 a minute, 20
    /// at once lets an admin register a team from one machine. Every `oc` command opens a
    /// connection and logs in (RESUME) again, and a script may run `oc send` in a loop, and several
    /// people may share one address (a terminal server): 20 a second with bursts of 100 for both.
    /// </summary>
    public static RateLimitSettings Default { get; } = new(
    [
        new RateLimit(20, 1000, 60),        // message
        new RateLimit(5, 1000, 30),         // file_offer
        new RateLimit(30, 60_000, 20),      // friend_request
        new RateLimit(10, 1000, 30),        // history
        new RateLimit(5, 1000, 30),         // find
        new RateLimit(10, 60_000, 20),      // register
        new RateLimit(20, 1000, 100),       // login
        new RateLimit(20, 1000, 100),       // connection
    ]);

    /// <summary>--no-rate-limits: nothing is limited (the benchmarks, and tests about something else).</summary>
    public static RateLimitSettings Off { get; } = new(new RateLimit?[RateKinds.Count]);

    public RateLimit? this[RateKind kind] => _limits[(int)kind];

    public bool AnyOn => Array.Exists(_limits, l => l is not null);

    public RateLimitSettings With(RateKind kind, RateLimit? limit)
    {
        var copy = (RateLimit?[])_limits.Clone();
        copy[(int)kind] = limit;
        return new RateLimitSettings(copy);
    }
}

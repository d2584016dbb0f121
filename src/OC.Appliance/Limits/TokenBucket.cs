namespace OC.Appliance.Limits;

/// <summary>
/// One key's token bucket, kept as a single number: the time at which the bucket is full again
/// (the "virtual scheduling" form of a token bucket, as in GCRA). A request takes one token; a
/// token comes back every <c>PeriodMs / Count</c> ms; at most <c>Burst</c> are held. In integers
/// only, with time in units of <c>ms × Count</c> so that one token is exactly <c>PeriodMs</c>
/// units: nothing is lost to rounding, and a check allocates nothing.
/// </summary>
/// <remarks>
/// The times are milliseconds since the limiter began (small, non-negative): with
/// <see cref="RateLimit.MaxCount"/> a million, a long holds them for 290 years.
/// </remarks>
internal struct TokenBucket
{
    // In units of ms × Count. At or before "now" the bucket is full: a new key starts so.
    private long _fullAt;

    /// <summary>Takes a token if one is there; otherwise says how long until one is.</summary>
    public bool TryTake(long nowMs, in RateLimit limit, out long retryAfterMs)
    {
        long now = nowMs * limit.Count;
        long token = limit.PeriodMs;
        long fullAt = Math.Max(_fullAt, now);
        // Taking one more pushes "full again" a token further; that may be at most a burst ahead of now.
        long over = fullAt + token - now - limit.Burst * token;
        if (over > 0)
        {
            retryAfterMs = (over + limit.Count - 1) / limit.Count;
            return false;
        }
        _fullAt = fullAt + token;
        retryAfterMs = 0;
        return true;
    }

    /// <summary>Full again: the same as a key never seen, so its entry can go.</summary>
    public readonly bool IsFull(long nowMs, in RateLimit limit) => _fullAt <= nowMs * limit.Count;
}

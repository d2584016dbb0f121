using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OC.Appliance.Limits;

/// <summary>
/// The token buckets of one <see cref="RateKind"/>, one per key (an OC number or an address).
/// Memory is bounded: a bucket that is full again is the same as none, so those are dropped (by
/// <see cref="Sweep"/>, and at once when the table is at its cap); a hostile LAN that makes more
/// addresses than the cap within one refill shares a single bucket for the ones beyond it, so the
/// flood is limited as one client and nobody already counted loses their bucket. Loop thread only.
/// </summary>
internal sealed class RateLimiter(RateLimit limit, int maxKeys)
{
    private readonly Dictionary<UInt128, TokenBucket> _buckets = [];
    private TokenBucket _crowd;
    private long _crowdedSweepMs = long.MinValue / 2;

    public RateLimit Limit => limit;

    /// <summary>Keys with a bucket that is not full (at most the cap).</summary>
    public int Keys => _buckets.Count;

    public bool TryTake(UInt128 key, long nowMs, out long retryAfterMs)
    {
        ref var bucket = ref CollectionsMarshal.GetValueRefOrNullRef(_buckets, key);
        if (!Unsafe.IsNullRef(ref bucket)) return bucket.TryTake(nowMs, limit, out retryAfterMs);

        if (_buckets.Count >= maxKeys && nowMs - _crowdedSweepMs >= 1000)
        {
            // At most once a second: under a flood of new keys a sweep per request would cost O(keys) each.
            _crowdedSweepMs = nowMs;
            Sweep(nowMs);
        }
        if (_buckets.Count >= maxKeys) return _crowd.TryTake(nowMs, limit, out retryAfterMs);
        var fresh = default(TokenBucket);
        bool taken = fresh.TryTake(nowMs, limit, out retryAfterMs);
        _buckets[key] = fresh;
        return taken;
    }

    /// <summary>Drops the buckets that are full again: they hold nothing a fresh one would not.</summary>
    public void Sweep(long nowMs)
    {
        // Removing while enumerating is allowed for Dictionary (it does not invalidate the enumerator).
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IsFull(nowMs, limit)) _buckets.Remove(key);
        }
    }
}

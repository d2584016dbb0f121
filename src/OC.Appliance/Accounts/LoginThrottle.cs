using System.Net;

namespace OC.Appliance.Accounts;

/// <summary>
/// Slows down password guessing: after a few free failures an account (and, separately, a client
/// address) is locked for a time that doubles with each further failure, up to a cap. A success
/// clears the account. Entries expire, so memory stays bounded. Loop thread only.
/// </summary>
internal sealed class LoginThrottle
{
    public const int FreeAccountFailures = 5;
    public const int FreeAddressFailures = 20;
    private static readonly long MaxLockMs = (long)TimeSpan.FromMinutes(15).TotalMilliseconds;
    private static readonly long ForgetAfterMs = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    private readonly Dictionary<int, Entry> _accounts = [];
    private readonly Dictionary<IPAddress, Entry> _addresses = [];

    public int TrackedEntries => _accounts.Count + _addresses.Count;

    /// <summary>True when a login for this account from this address must wait; says how long.</summary>
    public bool IsLocked(int account, IPAddress? address, long nowMs, out uint retryAfterSeconds)
    {
        long until = 0;
        if (_accounts.TryGetValue(account, out var a)) until = a.LockedUntilMs;
        if (address is not null && _addresses.TryGetValue(address, out var b)) until = Math.Max(until, b.LockedUntilMs);
        long wait = until - nowMs;
        retryAfterSeconds = wait > 0 ? (uint)((wait + 999) / 1000) : 0;
        return wait > 0;
    }

    public void RecordFailure(int account, IPAddress? address, long nowMs)
    {
        Bump(_accounts, account, FreeAccountFailures, nowMs);
        if (address is not null) Bump(_addresses, address, FreeAddressFailures, nowMs);
    }

    public void RecordSuccess(int account) => _accounts.Remove(account);

    /// <summary>Drops entries whose lock ended long ago.</summary>
    public void Sweep(long nowMs)
    {
        Forget(_accounts, nowMs);
        Forget(_addresses, nowMs);
    }

    private static void Bump<TKey>(Dictionary<TKey, Entry> map, TKey key, int free, long nowMs) where TKey : notnull
    {
        var entry = map.GetValueOrDefault(key);
        entry.Failures++;
        entry.LastFailureMs = nowMs;
        if (entry.Failures > free)
        {
            int excess = Math.Min(entry.Failures - free, 30);
            entry.LockedUntilMs = nowMs + Math.Min(1000L << (excess - 1), MaxLockMs);
        }
        map[key] = entry;
    }

    private static void Forget<TKey>(Dictionary<TKey, Entry> map, long nowMs) where TKey : notnull
    {
        foreach (var (key, entry) in map)
        {
            if (nowMs - Math.Max(entry.LastFailureMs, entry.LockedUntilMs) > ForgetAfterMs) map.Remove(key);
        }
    }

    private struct Entry
    {
        public int Failures;
        public long LastFailureMs;
        public long LockedUntilMs;
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using OC.Appliance.Net;

namespace OC.Appliance.Limits;

/// <summary>
/// Every rate limit of the appliance: a <see cref="RateLimiter"/> per <see cref="RateKind"/> that
/// is on, keyed by OC number or by client address, and how many requests each refused. A handler
/// asks before it does any work (<c>Replies.WithinRate</c>); the router asks for each new
/// connection. Loop thread only.
/// </summary>
internal sealed class RateLimits
{
    /// <summary>Keys per kind with a bucket that is not full: a few hundred KiB at most, even on a hostile LAN.</summary>
    public const int DefaultMaxKeys = 16_384;

    private readonly RateLimiter?[] _limiters = new RateLimiter?[RateKinds.Count];
    private readonly long[] _limited = new long[RateKinds.Count];
    private readonly TimeProvider _time;
    private readonly long _originMs;

    public RateLimits(RateLimitSettings settings, TimeProvider time, int maxKeys = DefaultMaxKeys)
    {
        Settings = settings;
        _time = time;
        _originMs = time.NowMs();
        foreach (var kind in RateKinds.All)
        {
            if (settings[kind] is { } limit) _limiters[(int)kind] = new RateLimiter(limit, maxKeys);
        }
    }

    public RateLimitSettings Settings { get; }

    /// <summary>Requests (or connections) of this kind refused since the start.</summary>
    public long Limited(RateKind kind) => _limited[(int)kind];

    /// <summary>Buckets held, all kinds together (the status page shows it: memory under a flood).</summary>
    public int TrackedKeys
    {
        get
        {
            int n = 0;
            foreach (var limiter in _limiters) n += limiter?.Keys ?? 0;
            return n;
        }
    }

    /// <summary>One request of a per-user kind from <paramref name="user"/>; false with the wait in whole seconds (at least 1).</summary>
    public bool TryTake(RateKind kind, int user, out uint retryAfterSeconds) =>
        TryTake(kind, (UInt128)(uint)user, out retryAfterSeconds);

    /// <summary>One request of a per-address kind from <paramref name="address"/> (IPv4 and its IPv6-mapped form are one).</summary>
    public bool TryTake(RateKind kind, IPAddress? address, out uint retryAfterSeconds) =>
        TryTake(kind, Key(address), out retryAfterSeconds);

    /// <summary>Drops the buckets that are full again (a loop timer runs it).</summary>
    public void Sweep()
    {
        long now = NowMs();
        foreach (var limiter in _limiters) limiter?.Sweep(now);
    }

    private bool TryTake(RateKind kind, UInt128 key, out uint retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (_limiters[(int)kind] is not { } limiter) return true;
        if (limiter.TryTake(key, NowMs(), out long retryAfterMs)) return true;
        _limited[(int)kind]++;
        // Whole seconds, rounded up: a client that waits that long finds a token.
        retryAfterSeconds = (uint)Math.Clamp((retryAfterMs + 999) / 1000, 1, uint.MaxValue);
        return false;
    }

    private long NowMs() => _time.NowMs() - _originMs;

    /// <summary>The address as 16 bytes, IPv4 in its IPv6-mapped form (::ffff:a.b.c.d); 0 for none.</summary>
    internal static UInt128 Key(IPAddress? address)
    {
        if (address is null) return 0;
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes[10] = 0xff;
            bytes[11] = 0xff;
            if (!address.TryWriteBytes(bytes[12..], out _)) return 0;
        }
        else if (!address.TryWriteBytes(bytes, out _))
        {
            return 0;
        }
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}

using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;

namespace OC.Appliance.Net;

/// <summary>
/// Gives the memory of a burst of large frames back to the system once the burst is over: every
/// 10 s <see cref="LargeArrays"/> lets go of the arrays nobody used since the time before, and
/// when that comes to <see cref="CollectAfterBytes"/> or more, one full compacting collection
/// returns them to the system at once (at most once a minute).
/// </summary>
/// <remarks>
/// Without it the arrays would wait for the next gen-2 collection, and an appliance whose hot path
/// allocates nothing may not see one for hours: after 100 logged-in peers each held a 1 MiB
/// partial frame (the input budget's attack, issue 11), RSS stayed ~90 MB above idle for good. The
/// collection blocks the loop for a few milliseconds on a heap of tens of MB; it happens only
/// after megabytes were let go, which a quiet or steadily busy appliance does not do.
/// </remarks>
/// <remarks>
/// The same holds for native memory: each TLS handshake's OpenSSL objects are malloc'ed and freed
/// when it completes (the record layer after it is managed), and after thousands of handshakes or
/// closed connections glibc keeps the freed memory in its arenas, as holes between what is still
/// in use (measured: RSS stayed at 196 MB after 10,000 TLS connections closed; <c>malloc_trim(0)</c>
/// brought it to 56 MB). So after <see cref="NativeTrimAfterClosed"/> such releases (counted with
/// connections accepted: a burst of them is a burst of logins, whose garbage is the collection's
/// below) the loop calls
/// <c>malloc_trim</c> (about a millisecond per MB it returns): at most once a minute while they go
/// on, and at the first quiet period (no release for one <see cref="Period"/>) after a burst, so an
/// appliance that just took 10,000 logins sits idle on what it holds, not on their garbage. At that
/// quiet point one full collection comes first (at most once a minute, as the other), for the
/// managed garbage of the same burst. Never on an appliance with a steady trickle below a thousand.
/// </remarks>
internal sealed class MemoryTrim(TimeProvider time, Action? collect = null, Func<long>? nativeReleases = null, Action? trimNative = null)
{
    public const long CollectAfterBytes = 8L * 1024 * 1024;
    public const long MinCollectIntervalMs = 60_000;
    public const long NativeTrimAfterClosed = 1_000;
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private readonly Action _collect = collect ?? (() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true));
    private readonly Action _trimNative = trimNative ?? NativeHeap.Trim;
    private long _letGo;
    private long _lastCollectMs = long.MinValue / 2;
    private long _lastNativeTrimMs = long.MinValue / 2;
    private long _closedAtNativeTrim;
    private long _closedAtLastTick;

    /// <summary>Collections made so far (/api/status).</summary>
    public int Collections { get; private set; }

    /// <summary>malloc_trim calls made so far.</summary>
    public int NativeTrims { get; private set; }

    /// <summary>Once a <see cref="Period"/>, on the loop.</summary>
    public void Tick()
    {
        TrimNativeAfterManyClosed();
        _letGo += LargeArrays.Trim();
        long now = time.NowMs();
        if (_letGo < CollectAfterBytes || now - _lastCollectMs < MinCollectIntervalMs) return;

        long letGo = _letGo;
        _letGo = 0;
        _lastCollectMs = now;
        Collections++;
        _collect();
        Log.Info("memory.trimmed", $"{letGo / (1024 * 1024)} MiB of large buffers let go; collected to give it back to the system");
    }

    private void TrimNativeAfterManyClosed()
    {
        if (nativeReleases is null) return;
        long closed = nativeReleases();
        long now = time.NowMs();
        bool quiet = closed == _closedAtLastTick;
        _closedAtLastTick = closed;
        if (closed - _closedAtNativeTrim < NativeTrimAfterClosed) return;
        if (!quiet && now - _lastNativeTrimMs < MinCollectIntervalMs) return;
        _closedAtNativeTrim = closed;
        _lastNativeTrimMs = now;
        NativeTrims++;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (quiet && now - _lastCollectMs >= MinCollectIntervalMs)
        {
            // A burst of logins or connections is over: what it allocated (LiteDB's transactions,
            // SCRAM, replies) is garbage in every generation, and with nothing allocating while the
            // appliance idles no collection would come to give it back. One, now, before the trim.
            _lastCollectMs = now;
            Collections++;
            _collect();
        }
        _trimNative();
        if (Log.IsEnabled(LogLevel.Debug))
            Log.Debug("memory.native_trimmed", $"malloc_trim after {closed} TLS handshakes and closed connections in all: {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.#} ms");
    }
}

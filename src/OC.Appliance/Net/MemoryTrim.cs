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
internal sealed class MemoryTrim(TimeProvider time, Action? collect = null)
{
    public const long CollectAfterBytes = 8L * 1024 * 1024;
    public const long MinCollectIntervalMs = 60_000;
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private readonly Action _collect = collect ?? (() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true));
    private long _letGo;
    private long _lastCollectMs = long.MinValue / 2;

    /// <summary>Collections made so far (/api/status).</summary>
    public int Collections { get; private set; }

    /// <summary>Once a <see cref="Period"/>, on the loop.</summary>
    public void Tick()
    {
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
}

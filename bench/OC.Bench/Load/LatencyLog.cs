using System.Diagnostics;

namespace OC.Bench.Load;

/// <summary>
/// Every latency of a run, in <see cref="Stopwatch"/> ticks, kept whole so the percentiles are
/// exact (a few million longs at most for a 10 s run: cheaper than being clever).
/// </summary>
internal sealed class LatencyLog
{
    private long[] _values = new long[4096];

    public int Count { get; private set; }

    public void Add(long ticks)
    {
        if (Count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        _values[Count++] = ticks;
    }

    public static Percentiles Merge(IEnumerable<LatencyLog> logs)
    {
        var all = logs.ToArray();
        var merged = new long[all.Sum(l => l.Count)];
        int offset = 0;
        foreach (var log in all)
        {
            Array.Copy(log._values, 0, merged, offset, log.Count);
            offset += log.Count;
        }
        Array.Sort(merged);
        return new Percentiles(
            Milliseconds(merged, 0.50),
            Milliseconds(merged, 0.99),
            Milliseconds(merged, 0.999),
            merged.Length == 0 ? 0 : ToMs(merged[^1]));
    }

    // Nearest rank: the smallest value with at least p of all values at or below it.
    private static double Milliseconds(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : ToMs(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);

    private static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

internal readonly record struct Percentiles(double P50Ms, double P99Ms, double P999Ms, double MaxMs);

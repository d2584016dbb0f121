using System.Diagnostics;

namespace OC.Bench.Load;

/// <summary>
/// The durable floor of a chat message: the time of one fsync after a small append, on the disk
/// and in the folder where the appliance keeps its data (--data-root, else the temp folder);
/// `chat` runs it during each run's warm-up (see ChatMode.RunOnceAsync for why not alone).
/// The appliance's message worker does the same per group (one write, one fsync), so with delivery
/// after the flush a pair with W messages in flight can do at most W ÷ (flush time) a second.
/// </summary>
internal static class FlushProbe
{
    /// <summary>What the message log appends per message (about a 64-byte text's record).</summary>
    public const int AppendBytes = 128;

    /// <summary>Appends <see cref="AppendBytes"/> and fsyncs, again and again, for <paramref name="seconds"/> (at most <paramref name="maxFlushes"/> times).</summary>
    public static FlushFigures? Measure(LoadOptions options, double seconds = 2, int maxFlushes = 5000)
    {
        var root = options.DataRoot ?? Path.GetTempPath();
        var folder = Path.Combine(root, $"oc-bench-flush-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        BenchCleanup.TrackFolder(folder);
        try
        {
            var log = new LatencyLog();
            var record = new byte[AppendBytes];
            using var file = File.OpenHandle(Path.Combine(folder, "flush.log"), FileMode.CreateNew, FileAccess.ReadWrite);
            // A first append and flush outside the measure: the file's creation is not a group's cost.
            RandomAccess.Write(file, record, 0);
            RandomAccess.FlushToDisk(file);
            long offset = record.Length;
            long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            for (int i = 0; i < maxFlushes && Stopwatch.GetTimestamp() < end; i++)
            {
                record[0] = (byte)i;
                long start = Stopwatch.GetTimestamp();
                RandomAccess.Write(file, record, offset);
                RandomAccess.FlushToDisk(file);
                log.Add(Stopwatch.GetTimestamp() - start);
                offset += record.Length;
            }
            return new FlushFigures(log.Count, LatencyLog.Merge([log]), folder, LoadRunner.LoadAverage());
        }
        finally
        {
            BenchCleanup.DeleteFolder(folder);
        }
    }
}

/// <summary>One flush probe: how many appends + fsyncs, their percentiles (write and fsync together), where, and the load average when it ended.</summary>
internal readonly record struct FlushFigures(int Count, Percentiles Latency, string Folder, string LoadAverage)
{
    /// <summary>Messages per second a pair with <paramref name="window"/> in flight can reach at most: one flush per window.</summary>
    public double BoundPerSecond(int window) => Latency.P50Ms > 0 ? window / (Latency.P50Ms / 1000) : 0;
}

using System.Globalization;

namespace OC.Bench.Load;

/// <summary>Memory of a process as /proc/PID/status tells it (KiB).</summary>
internal readonly record struct MemorySample(long VmRssKiB, long RssAnonKiB, long RssFileKiB);

/// <summary>What Linux says about another process: resident memory and CPU time (Linux only).</summary>
internal static class ProcStats
{
    // /proc/PID/stat counts CPU time in clock ticks; USER_HZ is 100 on every Linux this runs on.
    private const double ClockTicksPerSecond = 100;

    public static MemorySample ReadMemory(int pid)
    {
        long rss = 0, anon = 0, file = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = KiB(line);
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = KiB(line);
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = KiB(line);
        }
        return new MemorySample(rss, anon, file);
    }

    /// <summary>User + system CPU seconds the process has used so far.</summary>
    public static double ReadCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / ClockTicksPerSecond;
    }

    private static long KiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

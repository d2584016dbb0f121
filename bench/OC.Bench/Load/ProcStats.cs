using System.Globalization;

namespace OC.Bench.Load;

/// <summary>Memory of a process as /proc/PID/status tells it (KiB).</summary>
internal readonly record struct MemorySample(long VmRssKiB, long RssAnonKiB, long RssFileKiB);

/// <summary>
/// One thread of a process at one moment: its name (/proc/PID/task/TID/comm, at most 15
/// characters), CPU seconds, voluntary context switches (times it blocked), and the seconds it
/// was runnable but waited for a core (/proc/PID/task/TID/schedstat, field 2: the run delay).
/// </summary>
internal readonly record struct ThreadSample(int Tid, string Name, double CpuSeconds, long VoluntarySwitches, double RunDelaySeconds);

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
    public static double ReadCpuSeconds(int pid) => CpuSecondsOf($"/proc/{pid}/stat");

    /// <summary>Every thread of the process (threads that end between listing and reading are skipped).</summary>
    public static List<ThreadSample> ReadThreads(int pid)
    {
        var threads = new List<ThreadSample>();
        foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                int tid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                string name = File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n');
                double cpu = CpuSecondsOf(Path.Combine(dir, "stat"));
                long switches = 0;
                foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) switches = long.Parse(line.AsSpan(24).Trim(), CultureInfo.InvariantCulture);
                }
                double runDelay = 0;
                var schedstat = File.ReadAllText(Path.Combine(dir, "schedstat")).Split(' ');
                if (schedstat.Length >= 2) runDelay = long.Parse(schedstat[1], CultureInfo.InvariantCulture) / 1e9;
                threads.Add(new ThreadSample(tid, name, cpu, switches, runDelay));
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return threads;
    }

    /// <summary>
    /// The process's pwrite/write system calls so far (/proc/PID/io syscw; socket sends are not
    /// counted). For a spawned appliance during a chat run this is the message log's one write per
    /// group, i.e. the number of groups (LiteDB is idle then).
    /// </summary>
    public static long ReadWriteCalls(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/io"))
        {
            if (line.StartsWith("syscw:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
        }
        return -1;
    }

    /// <summary>
    /// Seconds during which at least one runnable task of the machine waited for a core
    /// (/proc/pressure/cpu, "some ... total=" in µs); -1 without pressure stall information.
    /// </summary>
    public static double ReadCpuPressureSeconds()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/pressure/cpu"))
            {
                if (!line.StartsWith("some ", StringComparison.Ordinal)) continue;
                int at = line.IndexOf("total=", StringComparison.Ordinal);
                return at < 0 ? -1 : long.Parse(line.AsSpan(at + 6).Trim(), CultureInfo.InvariantCulture) / 1e6;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return -1;
    }

    private static double CpuSecondsOf(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / ClockTicksPerSecond;
    }

    private static long KiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

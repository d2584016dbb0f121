using System.Diagnostics;

namespace OC.Bench.Load;

/// <summary>
/// Where the CPU went during a measured window, in cores (1.0 = one core busy all the time):
/// the appliance's event loop thread, its message-log thread ("oc-messages"), the rest of the
/// appliance, and this load generator. Read from /proc at the window's start and end. The two
/// appliance threads' run-queue wait (the fraction of the window they were runnable but had no
/// core) and the machine's CPU pressure (the fraction of the window in which some task waited for
/// a core) say whether the appliance was short of CPU on a machine shared with other work.
/// AllocatedBytes is what this process allocated on the managed heap in the window (the
/// generator alone when the appliance is another process).
/// </summary>
/// <remarks>
/// In-process, the appliance's threads are told apart by name and the generator is the rest of
/// the process (which then also holds the runtime's shared threads, GC included). For a spawned
/// appliance, the generator is this whole process and the appliance is the other one.
/// </remarks>
internal readonly record struct CpuSplit(
    double GeneratorCores,
    double ApplianceCores,
    double LoopCores,
    double MessagesCores,
    double LoopWakeupsPerSecond,
    double MessagesWakeupsPerSecond,
    double LoopRunQueueWait,
    double MessagesRunQueueWait,
    double MachineCpuPressure,
    long WriteCalls,
    long AllocatedBytes)
{
    public static Snapshot Take(Target target)
    {
        int self = Environment.ProcessId;
        int pid = target.Pid ?? self;
        var threads = target.Pid is null && target.MessageLog is null ? [] : ProcStats.ReadThreads(pid);
        long writes = target.Pid is null && target.MessageLog is null ? -1 : ProcStats.ReadWriteCalls(pid);
        return new Snapshot(
            Stopwatch.GetTimestamp(),
            Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            target.Pid is int p ? ProcStats.ReadCpuSeconds(p) : 0,
            threads,
            writes,
            ProcStats.ReadCpuPressureSeconds(),
            GC.GetTotalAllocatedBytes(precise: false));
    }

    /// <summary>
    /// The difference of two snapshots. A remote appliance without --pid has no threads to read:
    /// its figures are -1.
    /// </summary>
    public static CpuSplit Between(Target target, Snapshot a, Snapshot b)
    {
        double seconds = (b.Ticks - a.Ticks) / (double)Stopwatch.Frequency;
        double loop = 0, messages = 0, applianceThreads = 0, loopSwitches = 0, messagesSwitches = 0, loopWait = 0, messagesWait = 0;
        bool known = b.Threads.Count > 0;
        foreach (var t in b.Threads)
        {
            var before = a.Threads.Find(x => x.Tid == t.Tid);
            double cpu = t.CpuSeconds - before.CpuSeconds;
            long switches = t.VoluntarySwitches - before.VoluntarySwitches;
            if (target.IsLoopThread(t))
            {
                loop += cpu;
                loopSwitches += switches;
                loopWait += t.RunDelaySeconds - before.RunDelaySeconds;
                applianceThreads += cpu;
            }
            else if (t.Name == "oc-messages")
            {
                messages += cpu;
                messagesSwitches += switches;
                messagesWait += t.RunDelaySeconds - before.RunDelaySeconds;
                applianceThreads += cpu;
            }
            else if (t.Name == "oc-storage")
            {
                applianceThreads += cpu;
            }
        }

        double self = b.SelfCpuSeconds - a.SelfCpuSeconds;
        double applianceCores = target.Pid is not null ? (b.ApplianceCpuSeconds - a.ApplianceCpuSeconds) / seconds
            : known ? applianceThreads / seconds
            : -1; // an appliance at --server without --pid: unknown
        double generator = target.Pid is null && known ? self - applianceThreads : self;
        return new CpuSplit(
            generator / seconds,
            applianceCores,
            known ? loop / seconds : -1,
            known ? messages / seconds : -1,
            known ? loopSwitches / seconds : -1,
            known ? messagesSwitches / seconds : -1,
            known ? loopWait / seconds : -1,
            known ? messagesWait / seconds : -1,
            a.CpuPressureSeconds >= 0 && b.CpuPressureSeconds >= 0 ? (b.CpuPressureSeconds - a.CpuPressureSeconds) / seconds : -1,
            a.WriteCalls >= 0 ? b.WriteCalls - a.WriteCalls : -1,
            b.AllocatedBytes - a.AllocatedBytes);
    }

    internal sealed record Snapshot(long Ticks, double SelfCpuSeconds, double ApplianceCpuSeconds, List<ThreadSample> Threads, long WriteCalls, double CpuPressureSeconds, long AllocatedBytes);
}

using System.Diagnostics;
using OC.Protocol.Framing;

namespace OC.Bench.Load;

/// <summary>Entry point of the load modes, and the pipelined run that `accounts` and `ping` share.</summary>
internal static class LoadRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"oc-bench: {e.Message}\n\n{LoadOptions.Usage}");
            return 2;
        }

        // Whatever way the run ends (done, an exception, Ctrl-C, a missed phase deadline), its temp
        // data folders are deleted and the processes it started are killed.
        BenchCleanup.InstallHandlers();
        Watchdog = new PhaseWatchdog(TimeProvider.System, OnHang);
        Console.WriteLine($"# {options.CommandLine}");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
                          $".NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}");
        try
        {
            return options.Mode switch
            {
                "accounts" => await AccountsMode.RunAsync(options).ConfigureAwait(false),
                "ping" => await PingMode.RunAsync(options).ConfigureAwait(false),
                "files" => await FilesMode.RunAsync(options).ConfigureAwait(false),
                "chat" => await ChatMode.RunAsync(options).ConfigureAwait(false),
                "chat-during-upload" => await ChatDuringUploadMode.RunAsync(options).ConfigureAwait(false),
                "handshakes" => await HandshakesMode.RunAsync(options).ConfigureAwait(false),
                "room" => await RoomMode.RunAsync(options).ConfigureAwait(false),
                "room-disk" => await RoomDiskMode.RunAsync(options).ConfigureAwait(false),
                "soak" => await Soak.SoakMode.RunAsync(options).ConfigureAwait(false),
                _ => await IdleMode.RunAsync(options).ConfigureAwait(false),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"oc-bench: {e.Message}");
            return 2;
        }
    }

    /// <summary>The deadlines of the current run's phases (chat); a missed one ends the process (<see cref="OnHang"/>).</summary>
    public static PhaseWatchdog Watchdog { get; private set; } = new(TimeProvider.System, OnHang);

    /// <summary>
    /// Watches <paramref name="phase"/> for <paramref name="limit"/> (only a hang misses it), or for
    /// --phase-limit when given (a test of the clean-up).
    /// </summary>
    public static PhaseWatchdog.Scope Phase(LoadOptions options, string phase, TimeSpan limit) =>
        Watchdog.Begin(phase, options.PhaseLimitSeconds is double s ? TimeSpan.FromSeconds(s) : limit);

    // On the watchdog's timer thread: the run is stuck somewhere (a socket, a shutdown that never
    // ends, a foreground thread of an in-process appliance): kill and delete what it made, then
    // end the process, whatever its other threads are doing.
    private static void OnHang(string message)
    {
        Console.Out.Flush();
        Console.Error.WriteLine(message);
        BenchCleanup.KillAndCleanUp();
        Environment.Exit(3);
    }

    /// <summary>
    /// C connections, each keeping W requests in flight, for warm-up + duration; returns the merged
    /// counts and what the appliance's counters and CPU did during the measured window.
    /// </summary>
    public static async Task<WindowResult> RunWindowAsync(LoadOptions options, Target target, int connections, RequestWriter write, FrameType expectedReply)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds + 120));
        var clients = await Task.WhenAll(Enumerable.Range(0, connections)
            .Select(_ => LoadConnection.ConnectAndHelloAsync(target, cancel.Token))).ConfigureAwait(false);
        try
        {
            long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
            var run = new MeasuredRun(start, start + (long)(options.DurationSeconds * Stopwatch.Frequency));
            var stats = clients.Select(_ => new ConnectionStats()).ToArray();
            var sampling = SampleAsync(target, run);
            await Task.WhenAll(clients.Select((c, i) =>
                Task.Run(() => c.RunWindowAsync(options.Window, write, expectedReply, run, stats[i], cancel.Token)))).ConfigureAwait(false);
            var (storage, applianceCpu, benchCpu) = await sampling.ConfigureAwait(false);

            long completed = stats.Sum(s => s.Completed);
            return new WindowResult(
                completed,
                completed / run.Seconds,
                LatencyLog.Merge(stats.Select(s => s.Latencies)),
                stats.Sum(s => s.Errors),
                stats.Select(s => s.LastError).LastOrDefault(e => e is not null),
                storage,
                applianceCpu,
                benchCpu);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    /// <summary>Reads the counters at the start and the end of the measured window.</summary>
    private static async Task<(StorageSample? Storage, double? ApplianceCpu, double BenchCpu)> SampleAsync(Target target, MeasuredRun run)
    {
        await DelayUntil(run.StartTicks).ConfigureAwait(false);
        var storage0 = target.Storage;
        double? cpu0 = target.Pid is int pid0 ? ProcStats.ReadCpuSeconds(pid0) : null;
        var self0 = Process.GetCurrentProcess().TotalProcessorTime;

        await DelayUntil(run.EndTicks).ConfigureAwait(false);
        var storage1 = target.Storage;
        double? cpu1 = target.Pid is int pid1 ? ProcStats.ReadCpuSeconds(pid1) : null;
        var self1 = Process.GetCurrentProcess().TotalProcessorTime;

        StorageSample? storage = storage0 is { } a && storage1 is { } b ? new StorageSample(b.GroupsCommitted - a.GroupsCommitted, b.JobsCompleted - a.JobsCompleted) : null;
        double? applianceCpu = cpu0 is double c0 && cpu1 is double c1 ? (c1 - c0) / run.Seconds : null;
        return (storage, applianceCpu, (self1 - self0).TotalSeconds / run.Seconds);
    }

    private static async Task DelayUntil(long ticks)
    {
        long left = ticks - Stopwatch.GetTimestamp();
        if (left > 0) await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency)).ConfigureAwait(false);
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}

/// <summary>What one pipelined run measured. CPU figures are in cores (1.0 = one core busy all the time).</summary>
internal readonly record struct WindowResult(
    long Completed,
    double PerSecond,
    Percentiles Latency,
    long Errors,
    string? LastError,
    StorageSample? Storage,
    double? ApplianceCpu,
    double BenchCpu);

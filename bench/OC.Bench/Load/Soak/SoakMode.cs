using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load.Soak;

/// <summary>
/// `soak`: --duration of mixed load against the published AOT appliance in its own process, as
/// issue 11 asks: chat between --pairs pairs at a steady rate (<see cref="SoakChat"/>), a file
/// upload and download loop (<see cref="SoakFiles"/>), connection churn (<see cref="SoakChurn"/>),
/// garbage clients (<see cref="SoakGarbage"/>) and the memory attack in waves
/// (<see cref="SoakAttack"/>), all at once. Every --sample seconds one CSV row
/// (<see cref="SoakSample"/>); at the end the RSS trend (<see cref="SoakTrend"/>) and a plot
/// (<see cref="SoakPlot"/>).
/// </summary>
internal static class SoakMode
{
    private static readonly TimeSpan ChatInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FilePeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AttackEvery = TimeSpan.FromMinutes(2);
    private const int ChurnPerSecond = 20;
    private const double GarbagePerSecond = 4;
    private const int SetupParallelism = 16;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        if (options.Replot) return Replot(options);
        if (options.Server is null && options.AppliancePath is null)
        {
            options = options with
            {
                AppliancePath = IdleMode.DefaultAotBinary()
                    ?? throw new UsageException("soak needs the appliance in its own process: run ./publish.sh linux-x64 first, or pass --appliance PATH, or --server HOST:PORT --pid PID"),
            };
        }
        string work = Path.Combine(options.DataRoot ?? Path.GetTempPath(), $"oc-bench-soak-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string source = Path.Combine(work, "source.bin");
            await FilesMode.WriteRandomAsync(source, options.SizeMiB * 1024L * 1024).ConfigureAwait(false);
            using var target = Target.Start(options, flushToDisk: true, "soak", options.TlsRuns[0], http: true);
            int pid = target.Pid ?? throw new UsageException("soak needs the appliance's pid");
            return await RunAsync(options, target, pid, source, work).ConfigureAwait(false);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task<int> RunAsync(LoadOptions options, Target target, int pid, string source, string work)
    {
        string loadBefore = LoadRunner.LoadAverage();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        long idleRss = ProcStats.ReadMemory(pid).VmRssKiB;
        Console.WriteLine($"soak: appliance {target.Description}, protocol {target.EndPoint}, http {target.HttpEndPoint?.ToString() ?? "off"}; idle RSS {idleRss} KiB, {OpenFds(pid)} fds");

        var credentials = ScramCredentials.Derive(ChatPair.Password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var register = new Register("soak", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
        using var setupCancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        int pairCount = options.Pairs[0];
        var pairs = new ChatPair[pairCount];
        var setup = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, pairCount), new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism, CancellationToken = setupCancel.Token },
            async (i, ct) => pairs[i] = await ChatPair.CreateAsync(target, register, ct, bothLive: true).ConfigureAwait(false)).ConfigureAwait(false);
        var (churnUser, churnToken) = await OneUserAsync(target, register, setupCancel.Token).ConfigureAwait(false);
        var (_, attackToken) = await OneUserAsync(target, register, setupCancel.Token).ConfigureAwait(false);
        long setUpRss = ProcStats.ReadMemory(pid).VmRssKiB;
        Console.WriteLine($"soak: {pairCount} pairs set up in {setup.Elapsed.TotalSeconds:0.0} s; RSS {setUpRss} KiB");

        var counters = new SoakCounters();
        var latencies = new IntervalLatencies();
        using var stopSending = new CancellationTokenSource();
        using var stop = new CancellationTokenSource();
        ReadOnlyMemory<byte> text = Filler(options.MessageSize);
        counters.Clock.Start();
        var components = new List<Task>();
        if (!options.Skip.Contains("chat")) components.Add(SoakChat.RunAsync(pairs, text, ChatInterval, counters, latencies, stopSending.Token, stop.Token));
        if (!options.Skip.Contains("files")) components.Add(Task.Run(() => SoakFiles.RunAsync(target, source, work, FilePeriod, counters, stop.Token)));
        if (!options.Skip.Contains("churn")) components.Add(Task.Run(() => SoakChurn.RunAsync(target, churnUser, churnToken, ChurnPerSecond, counters, stop.Token)));
        if (!options.Skip.Contains("garbage")) components.Add(Task.Run(() => SoakGarbage.RunAsync(target.EndPoint, target.HttpEndPoint, GarbagePerSecond, counters, stop.Token)));
        if (!options.Skip.Contains("attack")) components.Add(Task.Run(() => SoakAttack.RunAsync(target, attackToken, AttackEvery, counters, stop.Token)));
        if (options.Skip.Count > 0) Console.WriteLine($"soak: left out: {string.Join(", ", options.Skip)}");

        var samples = new List<SoakSample>();
        bool applianceGone = false;
        string? csvFolder = Path.GetDirectoryName(Path.GetFullPath(options.CsvPath));
        if (csvFolder is not null) Directory.CreateDirectory(csvFolder);
        await using (var csv = new StreamWriter(options.CsvPath))
        {
            await csv.WriteLineAsync(SoakSample.CsvHeader).ConfigureAwait(false);
            var clock = counters.Clock;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.SampleSeconds));
            var previous = (Sent: 0L, Delivered: 0L);
            while (clock.Elapsed.TotalSeconds < options.DurationSeconds - 1e-3 && await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                double previousTime = samples.Count > 0 ? samples[^1].ElapsedSeconds : 0;
                SoakSample sample;
                try
                {
                    sample = await TakeAsync(previousTime, clock.Elapsed.TotalSeconds, pid, target, http, counters, latencies, previous).ConfigureAwait(false);
                }
                catch (IOException) when (!File.Exists($"/proc/{pid}/status"))
                {
                    Console.Error.WriteLine($"oc-bench: the appliance (pid {pid}) exited {clock.Elapsed.TotalSeconds:0} s into the soak; {target.ExitReport}");
                    applianceGone = true;
                    break;
                }
                previous = (counters.ChatSent, counters.ChatDelivered);
                samples.Add(sample);
                await csv.WriteLineAsync(sample.ToCsv()).ConfigureAwait(false);
                await csv.FlushAsync().ConfigureAwait(false);
                Console.WriteLine(sample.ToConsole());
                if (components.FirstOrDefault(c => c.IsFaulted) is { } failed)
                {
                    Console.Error.WriteLine($"oc-bench: a soak component failed: {failed.Exception?.GetBaseException()}");
                    break;
                }
            }
        }

        // Chat stops sending first and is given up to 10 s to deliver what is in flight, so that
        // sent and delivered can be compared (a gap is a message lost or very late).
        await stopSending.CancelAsync().ConfigureAwait(false);
        var drain = Stopwatch.StartNew();
        while (counters.ChatDelivered < counters.ChatSent && drain.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        var stopped = Task.WhenAll(components);
        if (await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false) != stopped)
            Console.Error.WriteLine("oc-bench: the soak's components did not stop within 60 s");
        foreach (var pair in pairs) pair.Dispose();

        var trend = SoakTrend.Of(samples, options.DurationSeconds);
        var whole = latencies.Whole();
        string loadAfter = LoadRunner.LoadAverage();
        string skipped = options.Skip.Count > 0 ? $" without {string.Join(", ", options.Skip)}" : "";
        SoakPlot.Write(options.SvgPath, samples, counters.Waves, trend, idleRss,
            $"oc soak: {options.DurationSeconds / 60:0.#} min of mixed load{skipped}, {pairCount} chat pairs, {target.Description.Split(' ')[0]} ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Print(options, target, idleRss, setUpRss, samples, trend, whole, counters, loadBefore, loadAfter, complete: !applianceGone);
        bool failedComponent = components.Any(c => c.IsFaulted);
        return failedComponent || applianceGone ? 1 : 0;
    }

    /// <summary>
    /// Draws the plot again from a CSV the soak wrote (e.g. after a change to the plot). The attack
    /// waves are not in the CSV: they are drawn over the intervals whose rows say attack_holding,
    /// so their edges are those of the samples (within one --sample period of the real ones).
    /// </summary>
    private static int Replot(LoadOptions options)
    {
        var samples = File.ReadLines(options.CsvPath).Skip(1).Where(l => l.Length > 0).Select(SoakSample.FromCsv).ToList();
        if (samples.Count == 0) throw new UsageException($"--replot: no samples in {options.CsvPath}");
        var waves = new List<(double From, double To)>();
        for (int i = 0; i < samples.Count; i++)
        {
            if (!samples[i].AttackHolding) continue;
            double from = i > 0 ? samples[i - 1].ElapsedSeconds : 0, to = samples[i].ElapsedSeconds;
            if (waves.Count > 0 && waves[^1].To >= from) waves[^1] = (waves[^1].From, to);
            else waves.Add((from, to));
        }
        double duration = Math.Round(samples[^1].ElapsedSeconds / options.SampleSeconds) * options.SampleSeconds;
        var trend = SoakTrend.Of(samples, duration);
        // The idle RSS is not in the CSV either: the caller gives it (--idle-kib), else it is left out.
        SoakPlot.Write(options.SvgPath, samples, waves, trend, options.IdleKiB,
            $"oc soak: {duration / 60:0.#} min of mixed load, redrawn from {Path.GetFileName(options.CsvPath)}");
        Console.WriteLine($"soak: {samples.Count} samples from {options.CsvPath} drawn into {options.SvgPath}; RSS slope over the second half {trend.SlopeKiBPerMinute:0.0} KiB/min, " +
                          $"drift {100 * trend.DriftFraction:0.00}%, window ratio {trend.WindowRatio:0.000}; " +
                          $"floor of {trend.Floors} 2-min cycles: mean {trend.FloorMeanKiB:0} KiB, slope {trend.FloorSlopeKiBPerMinute:0.0} KiB/min, drift {100 * trend.FloorDriftFraction:0.00}%: " +
                          (trend.NoUpwardTrend ? "no upward trend" : "UPWARD TREND"));
        return 0;
    }

    private static async Task<SoakSample> TakeAsync(double previousTime, double elapsed, int pid, Target target, HttpClient http, SoakCounters counters, IntervalLatencies latencies, (long Sent, long Delivered) previous)
    {
        var memory = ProcStats.ReadMemory(pid);
        int fds = OpenFds(pid);
        var (latency, count) = latencies.TakeInterval();
        long sent = counters.ChatSent, delivered = counters.ChatDelivered;
        var status = await StatusAsync(http, target).ConfigureAwait(false);
        return new SoakSample(
            elapsed, memory.VmRssKiB, memory.RssAnonKiB, fds, status.Connections, status.MessagesStored,
            sent - previous.Sent, delivered - previous.Delivered, count, latency.P50Ms, latency.P99Ms, latency.MaxMs,
            counters.FileLoops, counters.Churned, counters.Garbage, counters.Attackers,
            // The interval met a wave: one holding now, or one that ended since the last sample.
            counters.Holding || counters.Waves.Any(w => w.To > previousTime),
            counters.ChatErrors + counters.FileErrors + counters.ChurnErrors);
    }

    /// <summary>Protocol connections and messages stored, from /api/status; -1 each when HTTP is off or does not answer.</summary>
    private static async Task<(int Connections, long MessagesStored)> StatusAsync(HttpClient http, Target target)
    {
        if (target.HttpEndPoint is not { } endPoint) return (-1, -1);
        try
        {
            await using var stream = await http.GetStreamAsync(new Uri($"http://{endPoint}/api/status")).ConfigureAwait(false);
            using var json = await JsonDocument.ParseAsync(stream).ConfigureAwait(false);
            return (json.RootElement.GetProperty("connections").GetInt32(), json.RootElement.GetProperty("messages_stored").GetInt64());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return (-1, -1);
        }
    }

    public static int OpenFds(int pid)
    {
        try { return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count(); }
        catch (IOException) { return -1; }
    }

    /// <summary>Registers a user and logs in once (the connection closes after): its number and session token.</summary>
    private static async Task<(uint User, byte[] Token)> OneUserAsync(Target target, Register register, CancellationToken ct)
    {
        using var connection = await LoadConnection.ConnectAndHelloAsync(target, ct).ConfigureAwait(false);
        uint user = await ChatPair.RegisterAsync(connection, register, ct).ConfigureAwait(false);
        return (user, await ChatPair.LoginAsync(connection, user, ct).ConfigureAwait(false));
    }

    private static byte[] Filler(int size)
    {
        var text = new byte[size];
        for (int i = 0; i < size; i++) text[i] = (byte)('a' + i % 26);
        return text;
    }

    private static void Print(LoadOptions options, Target target, long idleRss, long setUpRss, List<SoakSample> samples, SoakTrend trend, Percentiles whole,
        SoakCounters c, string loadBefore, string loadAfter, bool complete)
    {
        static string F(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);
        var measured = samples.Where(s => s.LatencyCount > 0).ToList();
        double p99Min = measured.Count > 0 ? measured.Min(s => s.P99Ms) : 0, p99Max = measured.Count > 0 ? measured.Max(s => s.P99Ms) : 0;
        long rssMax = samples.Count > 0 ? samples.Max(s => s.RssKiB) : 0;
        int fdMin = samples.Count > 0 ? samples.Min(s => s.Fds) : 0, fdMax = samples.Count > 0 ? samples.Max(s => s.Fds) : 0;
        long rssFirst = samples.Count > 0 ? samples[0].RssKiB : 0, rssLast = samples.Count > 0 ? samples[^1].RssKiB : 0;
        string verdict = !complete ? "no verdict (the run was cut short)" : trend.NoUpwardTrend ? "no upward trend" : "UPWARD TREND";
        new Report($"soak: {F(samples.LastOrDefault()?.ElapsedSeconds / 60 ?? 0)} min, {samples.Count} samples: RSS idle {idleRss} KiB, set up {setUpRss} KiB, " +
                   $"first sample {rssFirst} KiB, last {rssLast} KiB, max {rssMax} KiB; second half slope {F(trend.SlopeKiBPerMinute)} KiB/min " +
                   $"({F(trend.SlopeKiBPerMinute * options.DurationSeconds / 60)} KiB over the run = {F(100 * trend.DriftFraction, "0.00")}% of its mean {F(trend.SecondHalfMeanKiB, "0")} KiB; " +
                   $"quiet samples only {F(trend.QuietSlopeKiBPerMinute)} KiB/min), last/early window ratio {F(trend.WindowRatio, "0.000")}; " +
                   $"floor (lowest RSS of each 2-min cycle, {trend.Floors} cycles) mean {F(trend.FloorMeanKiB, "0")} KiB, slope {F(trend.FloorSlopeKiBPerMinute)} KiB/min, " +
                   $"drift {F(100 * trend.FloorDriftFraction, "0.00")}%: {verdict}; " +
                   $"fds {fdMin}..{fdMax}; chat p99 {F(p99Min)}..{F(p99Max)} ms per interval, whole run p50 {F(whole.P50Ms, "0.00")} p99 {F(whole.P99Ms, "0.00")} max {F(whole.MaxMs)} ms; " +
                   $"chat sent {c.ChatSent}, delivered {c.ChatDelivered}; file loops {c.FileLoops}; churned {c.Churned} (skipped {c.ChurnSkipped}); " +
                   $"garbage {c.Garbage} ({c.GarbageClosedByAppliance} closed by the appliance); attack waves {c.AttackWaves}, attackers {c.Attackers}; " +
                   $"errors chat {c.ChatErrors}, files {c.FileErrors}, churn {c.ChurnErrors}{(c.LastError is null ? "" : $" (last: {c.LastError})")}; " +
                   $"load average {loadBefore} before, {loadAfter} after")
            .Add("mode", "soak")
            .Add("durationSeconds", options.DurationSeconds)
            .Add("sampleSeconds", options.SampleSeconds)
            .Add("pairs", options.Pairs[0])
            .Add("fileMiB", options.SizeMiB)
            .Add("idleRssKib", idleRss)
            .Add("setUpRssKib", setUpRss)
            .Add("firstRssKib", rssFirst)
            .Add("lastRssKib", rssLast)
            .Add("maxRssKib", rssMax)
            .Add("slopeKibPerMinute", trend.SlopeKiBPerMinute)
            .Add("quietSlopeKibPerMinute", trend.QuietSlopeKiBPerMinute)
            .Add("driftFraction", trend.DriftFraction)
            .Add("windowRatio", trend.WindowRatio)
            .Add("floorSlopeKibPerMinute", trend.FloorSlopeKiBPerMinute)
            .Add("floorMeanKib", trend.FloorMeanKiB)
            .Add("floorDriftFraction", trend.FloorDriftFraction)
            .Add("noUpwardTrend", complete && trend.NoUpwardTrend)
            .Add("complete", complete)
            .Add("fdsMin", fdMin)
            .Add("fdsMax", fdMax)
            .Add("p99MinMs", p99Min)
            .Add("p99MaxMs", p99Max)
            .Add("p50Ms", whole.P50Ms)
            .Add("p99Ms", whole.P99Ms)
            .Add("maxMs", whole.MaxMs)
            .Add("chatSent", c.ChatSent)
            .Add("chatDelivered", c.ChatDelivered)
            .Add("fileLoops", c.FileLoops)
            .Add("churned", c.Churned)
            .Add("churnSkipped", c.ChurnSkipped)
            .Add("garbage", c.Garbage)
            .Add("garbageClosedByAppliance", c.GarbageClosedByAppliance)
            .Add("attackWaves", c.AttackWaves)
            .Add("attackers", c.Attackers)
            .Add("errors", c.ChatErrors + c.FileErrors + c.ChurnErrors)
            .Add("loadBefore", loadBefore)
            .Add("loadAfter", loadAfter)
            .Add("csv", options.CsvPath)
            .Add("svg", options.SvgPath)
            .Add("target", target.Description)
            .Print(options);
    }
}

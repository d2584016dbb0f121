using System.Diagnostics;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// `chat`: P sender/receiver pairs over the real protocol, each sender with W SEND in flight.
/// Measures delivered MESSAGE events per second at the receivers, SENT per second at the senders,
/// end-to-end latency (SEND written → MESSAGE read) and SENT latency, and where the CPU went (the
/// appliance's loop thread, its message-log thread, this generator). Every SENT is a message
/// stored and flushed (docs/protocol.md, "Messages"), unless --no-flush.
/// </summary>
internal static class ChatMode
{
    // Pairs set up at once: each is two connects, two REGISTER, two SCRAM logins (a PBKDF2 each
    // in this process), FRIEND_ADD and SYNC.
    private const int SetupParallelism = 64;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        // -w 1,64: each window in turn, in one invocation (issue 13 wants both beside one flush figure).
        int failures = 0;
        foreach (int window in options.Windows)
            failures += await RunWindowAsync(options with { Window = window }).ConfigureAwait(false);
        return failures == 0 ? 0 : 1;
    }

    private static async Task<int> RunWindowAsync(LoadOptions options)
    {
        var credentials = ScramCredentials.Derive(ChatPair.Password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var register = new Register("chat", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
        ReadOnlyMemory<byte> text = Filler(options.MessageSize);

        bool[] flushes = options.BothFlush ? [true, false] : [!options.NoFlush];
        bool inProcess = options.Server is null && options.AppliancePath is null;
        int failures = 0;
        foreach (int pairs in options.Pairs)
        {
            var results = new Dictionary<(bool Flush, bool Tls), ChatResult>();
            foreach (bool flush in flushes)
            {
                // --tls both: plaintext, then TLS, each on a fresh appliance, back to back.
                foreach (bool tls in options.TlsRuns)
                {
                    string load = LoadRunner.LoadAverage();
                    Target target;
                    using (LoadRunner.Phase(options, "start the appliance", TimeSpan.FromSeconds(90)))
                        target = Target.Start(options, flush, "chat", tls);
                    try
                    {
                        // The raw flush on this disk, measured during the run's warm-up (not for an appliance elsewhere, whose disk this is not).
                        bool probe = flush && options.Server is null;
                        long idleKiB = target.Pid is int before ? ProcStats.ReadMemory(before).VmRssKiB : -1;
                        var (r, floor) = await RunOnceAsync(options, target, pairs, register, text, probe).ConfigureAwait(false);
                        if (options.RssAfterSeconds is double settle && target.Pid is int pid) await PrintRssAfterAsync(options, pairs, pid, idleKiB, r.ApplianceRssKiB, settle).ConfigureAwait(false);
                        results[(flush, tls)] = r;
                        if (r.Errors > 0 || r.Lost != 0) failures++;
                        Print(options, target, pairs, inProcess ? (flush ? "on" : "OFF") : "as configured", load, r);
                        if (floor is { } f)
                        {
                            PrintFlush(options, f, "during the warm-up");
                            PrintAgainstFlush(options, pairs, target.TransportName, r, f);
                        }
                    }
                    finally
                    {
                        // The stop waits up to 60 s for a clean shutdown, then kills: only a hang misses this.
                        using (LoadRunner.Phase(options, "stop the appliance", TimeSpan.FromSeconds(120)))
                            target.Dispose();
                    }
                }
                if (results.TryGetValue((flush, false), out var plain) && results.TryGetValue((flush, true), out var tlsRun))
                    PrintTlsRatio(options, pairs, flush, plain, tlsRun);
            }
            if (options.Redis)
            {
                string load = LoadRunner.LoadAverage();
                var redis = await ChatRedis.RunAsync(options, pairs).ConfigureAwait(false);
                PrintRedis(options, pairs, load, redis, results);
            }
            foreach (bool tls in options.TlsRuns)
            {
                if (results.TryGetValue((true, tls), out var on) && results.TryGetValue((false, tls), out var off) && on.DeliveredPerSecond > 0)
                    Console.WriteLine($"chat: {pairs} pairs x {options.Window} window, {(tls ? "TLS" : "plaintext")}: no-flush / flush = {off.DeliveredPerSecond / on.DeliveredPerSecond:0.00}x delivered (same invocation, runs back to back)");
            }
        }
        return failures;
    }

    /// <summary>Issue 12's comparison: TLS's delivered rate as a share of plaintext's, and what TLS adds to the latencies.</summary>
    private static void PrintTlsRatio(LoadOptions options, int pairs, bool flush, ChatResult plain, ChatResult tls)
    {
        double ratio = plain.DeliveredPerSecond > 0 ? tls.DeliveredPerSecond / plain.DeliveredPerSecond : double.NaN;
        new Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"chat: {pairs} pairs x {options.Window} window, flush {(flush ? "on" : "off")}: TLS / plaintext = {ratio:0.00} delivered " +
                $"({Report.Rate(tls.DeliveredPerSecond)} / {Report.Rate(plain.DeliveredPerSecond)}/s); end-to-end p50 TLS - plaintext {Delta(tls.EndToEnd.P50Ms, plain.EndToEnd.P50Ms)}, " +
                $"p99 {Delta(tls.EndToEnd.P99Ms, plain.EndToEnd.P99Ms)} ({Report.Ms(tls.EndToEnd.P99Ms)} vs {Report.Ms(plain.EndToEnd.P99Ms)}); " +
                $"appliance CPU per message TLS / plaintext = {CpuPerMessageRatio(plain, tls)} (same invocation, runs back to back)"))
            .Add("mode", "chat-tls-ratio")
            .Add("pairs", pairs)
            .Add("window", options.Window)
            .Add("flush", flush)
            .Add("tlsOverPlaintextDelivered", ratio)
            .Add("e2eP50DeltaMs", tls.EndToEnd.P50Ms - plain.EndToEnd.P50Ms)
            .Add("e2eP99DeltaMs", tls.EndToEnd.P99Ms - plain.EndToEnd.P99Ms)
            .Add("plaintextDeliveredPerSecond", plain.DeliveredPerSecond)
            .Add("tlsDeliveredPerSecond", tls.DeliveredPerSecond)
            .Print(options);
    }

    private static string Delta(double tlsMs, double plainMs) =>
        (tlsMs >= plainMs ? "+" : "-") + Report.Ms(Math.Abs(tlsMs - plainMs));

    private static string CpuPerMessageRatio(ChatResult plain, ChatResult tls)
    {
        if (plain.Cpu.ApplianceCores <= 0 || tls.Cpu.ApplianceCores <= 0 || plain.DeliveredPerSecond <= 0 || tls.DeliveredPerSecond <= 0) return "n/a";
        double a = plain.Cpu.ApplianceCores / plain.DeliveredPerSecond, b = tls.Cpu.ApplianceCores / tls.DeliveredPerSecond;
        return (b / a).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <param name="measureFlush">
    /// Also the raw flush (<see cref="FlushProbe"/>), on a thread of its own during the warm-up:
    /// alone on this VM (before or after a run) an fsync took 2-4 ms at the median, during a run
    /// 0.3-0.4 ms, as the appliance's own (issue 13: an idle virtual CPU wakes slowly for the
    /// disk's interrupt), so the floor is taken while the same processes run, outside the window.
    /// </param>
    private static async Task<(ChatResult Result, FlushFigures? Flush)> RunOnceAsync(LoadOptions options, Target target, int count, Register register, ReadOnlyMemory<byte> text, bool measureFlush)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(600 + options.WarmupSeconds + options.DurationSeconds));
        var pairs = new ChatPair[count];
        try
        {
            var setup = Stopwatch.StartNew();
            using (LoadRunner.Phase(options, $"set up {count} pairs", TimeSpan.FromSeconds(60 + count * 0.5)))
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism, CancellationToken = cancel.Token },
                async (i, ct) => pairs[i] = await ChatPair.CreateAsync(target, register, ct).ConfigureAwait(false)).ConfigureAwait(false);
            setup.Stop();

            long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
            var run = new MeasuredRun(start, start + (long)(options.DurationSeconds * Stopwatch.Frequency));
            var senders = pairs.Select(_ => new SenderStats()).ToArray();
            var receivers = pairs.Select(_ => new ReceiverStats()).ToArray();
            var sampling = SampleAsync(target, run);

            var tasks = new List<Task>(2 * count);
            for (int i = 0; i < count; i++)
            {
                var pair = pairs[i];
                var sender = senders[i];
                var receiver = receivers[i];
                tasks.Add(Task.Run(() => ChatTraffic.ReceiveAsync(pair.Receiver, run, receiver, cancel.Token)));
                tasks.Add(Task.Run(() => ChatTraffic.SendAsync(pair.Sender, pair.ReceiverNumber, text, options.Window, run, sender, cancel.Token)));
            }
            var flushProbe = measureFlush
                ? Task.Run(() => FlushProbe.Measure(options, seconds: Math.Clamp(options.WarmupSeconds - 0.5, 0.5, 2)))
                : Task.FromResult<FlushFigures?>(null);
            // Each sender ends by itself after the window (its last message, then every SENT): a
            // minute more than the run is a hang.
            using (LoadRunner.Phase(options, "chat traffic", TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds + 120)))
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
                await sampling.ConfigureAwait(false);
                await flushProbe.ConfigureAwait(false);
            }
            var (cpu, log) = await sampling.ConfigureAwait(false);
            // The message index grows with every message stored (~60 B each, in memory by design).
            long rssKiB = target.Pid is int pid ? ProcStats.ReadMemory(pid).VmRssKiB : -1;

            long delivered = receivers.Sum(s => s.Delivered);
            long acked = senders.Sum(s => s.Acked);
            return (new ChatResult(
                setup.Elapsed.TotalSeconds,
                delivered,
                delivered / run.Seconds,
                acked / run.Seconds,
                LatencyLog.Merge(receivers.Select(s => s.Latencies)),
                LatencyLog.Merge(senders.Select(s => s.AckLatencies)),
                senders.Sum(s => s.SentTotal),
                senders.Sum(s => s.AckedTotal) - receivers.Sum(s => s.DeliveredTotal),
                senders.Sum(s => s.Errors),
                senders.Select(s => s.LastError).LastOrDefault(e => e is not null),
                cpu,
                log,
                acked,
                rssKiB), await flushProbe.ConfigureAwait(false));
        }
        finally
        {
            using (LoadRunner.Phase(options, "close the connections", TimeSpan.FromSeconds(60)))
            {
                foreach (var pair in pairs) pair?.Dispose();
            }
        }
    }

    /// <summary>Issue 13's "RSS after a 10 s, 1,000-pair run back to within 20 % of idle": the idle figure, the run's, and the settled one.</summary>
    private static async Task PrintRssAfterAsync(LoadOptions options, int pairs, int pid, long idleKiB, long afterRunKiB, double settleSeconds)
    {
        using (LoadRunner.Phase(options, "wait for the appliance to settle", TimeSpan.FromSeconds(settleSeconds + 60)))
            await Task.Delay(TimeSpan.FromSeconds(settleSeconds)).ConfigureAwait(false);
        long settledKiB = ProcStats.ReadMemory(pid).VmRssKiB;
        double ratio = idleKiB > 0 ? (double)settledKiB / idleKiB : -1;
        new Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"appliance RSS, {pairs} pairs: idle before {idleKiB / 1024.0:0.0} MiB, right after the run {afterRunKiB / 1024.0:0.0} MiB, " +
                $"{settleSeconds:0} s after the connections closed {settledKiB / 1024.0:0.0} MiB ({ratio:0.00} x idle; target <= 1.20)"))
            .Add("mode", "chat-rss")
            .Add("pairs", pairs)
            .Add("rssIdleMib", idleKiB / 1024.0)
            .Add("rssAfterRunMib", afterRunKiB / 1024.0)
            .Add("rssSettledMib", settledKiB / 1024.0)
            .Add("settleSeconds", settleSeconds)
            .Add("settledOverIdle", ratio)
            .Print(options);
    }

    private static void PrintFlush(LoadOptions options, FlushFigures f, string when) =>
        new Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"raw flush ({when}): {f.Count:#,0} x ({FlushProbe.AppendBytes} B append + fsync) in {Path.GetDirectoryName(f.Folder)}: p50 {Report.Ms(f.Latency.P50Ms)}, " +
                $"p99 {Report.Ms(f.Latency.P99Ms)}, p99.9 {Report.Ms(f.Latency.P999Ms)}, max {Report.Ms(f.Latency.MaxMs)}; bound for window {options.Window}: " +
                $"{Report.Rate(f.BoundPerSecond(options.Window))} msgs/s (W / flush p50); load average {f.LoadAverage}"))
            .Add("mode", "raw-flush")
            .Add("when", when)
            .Add("flushes", f.Count)
            .Add("appendBytes", FlushProbe.AppendBytes)
            .Add("flushP50Ms", f.Latency.P50Ms)
            .Add("flushP99Ms", f.Latency.P99Ms)
            .Add("flushP999Ms", f.Latency.P999Ms)
            .Add("flushMaxMs", f.Latency.MaxMs)
            .Add("window", options.Window)
            .Add("boundPerSecond", f.BoundPerSecond(options.Window))
            .Add("loadAverage", f.LoadAverage)
            .Print(options);

    /// <summary>Issue 13's targets for one pair: p99 within the raw flush's p99 + 0.3 ms, and 80 % of W ÷ flush.</summary>
    private static void PrintAgainstFlush(LoadOptions options, int pairs, string transport, ChatResult r, FlushFigures f)
    {
        double bound = f.BoundPerSecond(options.Window);
        double share = bound > 0 ? r.DeliveredPerSecond / bound : double.NaN;
        double over = r.EndToEnd.P99Ms - f.Latency.P99Ms;
        new Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"chat vs raw flush: {pairs} pairs x {options.Window} window, {transport}: end-to-end p99 {Report.Ms(r.EndToEnd.P99Ms)} = flush p99 " +
                $"{(over >= 0 ? "+" : "-")} {Report.Ms(Math.Abs(over))}{(pairs == 1 ? $" (target + 0.3 ms: {(over <= 0.3 ? "met" : "missed")})" : "")}; p50 {Report.Ms(r.EndToEnd.P50Ms)} = flush p50 + " +
                $"{Report.Ms(r.EndToEnd.P50Ms - f.Latency.P50Ms)}; {Report.Rate(r.DeliveredPerSecond)} delivered/s = {share:0%} of W / flush p50 " +
                $"({Report.Rate(bound)}/s{(pairs == 1 ? $", target 80 %: {(share >= 0.8 ? "met" : "missed")}" : ", the bound is per pair")})"))
            .Add("mode", "chat-vs-flush")
            .Add("pairs", pairs)
            .Add("window", options.Window)
            .Add("transport", transport)
            .Add("e2eP99OverFlushP99Ms", over)
            .Add("e2eP50OverFlushP50Ms", r.EndToEnd.P50Ms - f.Latency.P50Ms)
            .Add("boundPerSecond", bound)
            .Add("shareOfBound", share)
            .Print(options);
    }

    private static void PrintRedis(LoadOptions options, int pairs, string load, RedisResult redis, Dictionary<(bool Flush, bool Tls), ChatResult> chat)
    {
        var ratios = string.Join(", ", chat.Where(c => c.Key.Flush).Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(c.Key.Tls ? "TLS" : "plaintext")} {c.Value.DeliveredPerSecond / redis.DeliveredPerSecond:0.00}x")));
        new Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"redis pub/sub: {pairs} pairs x {options.Window} window, {options.MessageSize} B, plaintext, nothing stored: {Report.Rate(redis.DeliveredPerSecond)} delivered/s; " +
                $"end-to-end p50 {Report.Ms(redis.EndToEnd.P50Ms)}, p99 {Report.Ms(redis.EndToEnd.P99Ms)}, p99.9 {Report.Ms(redis.EndToEnd.P999Ms)}; " +
                $"chat (flush on) / redis delivered: {(ratios.Length > 0 ? ratios : "n/a")}; {redis.Version}; load average {load}"))
            .Add("mode", "chat-redis")
            .Add("pairs", pairs)
            .Add("window", options.Window)
            .Add("messageBytes", options.MessageSize)
            .Add("deliveredPerSecond", redis.DeliveredPerSecond)
            .Add("e2eP50Ms", redis.EndToEnd.P50Ms)
            .Add("e2eP99Ms", redis.EndToEnd.P99Ms)
            .Add("e2eP999Ms", redis.EndToEnd.P999Ms)
            .Add("loadAverage", load)
            .Print(options);
    }

    private static async Task<(CpuSplit Cpu, MessageLogSample? Log)> SampleAsync(Target target, MeasuredRun run)
    {
        await DelayUntil(run.StartTicks).ConfigureAwait(false);
        var log0 = target.MessageLog;
        var cpu0 = CpuSplit.Take(target);
        await DelayUntil(run.EndTicks).ConfigureAwait(false);
        var log1 = target.MessageLog;
        var cpu1 = CpuSplit.Take(target);
        MessageLogSample? log = log0 is { } a && log1 is { } b ? new MessageLogSample(b.GroupsCommitted - a.GroupsCommitted, b.MessagesStored - a.MessagesStored) : null;
        return (CpuSplit.Between(target, cpu0, cpu1), log);
    }

    private static async Task DelayUntil(long ticks)
    {
        long left = ticks - Stopwatch.GetTimestamp();
        if (left > 0) await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency)).ConfigureAwait(false);
    }

    private static void Print(LoadOptions options, Target target, int pairs, string flush, string load, ChatResult r)
    {
        // Groups: the in-process counters, else the appliance's write calls (one pwrite per group).
        double groups = r.Log is { } g ? g.GroupsCommitted : r.Cpu.WriteCalls;
        double perGroup = groups > 0 ? (r.Log is { } m ? m.MessagesStored : r.AckedInWindow) / groups : -1;
        string groupText = groups > 0
            ? $"{groups / options.DurationSeconds:#,0} groups/s ({perGroup:0.0} msgs/group{(r.Log is null ? ", from write calls" : "")})"
            : "groups n/a";
        string cpu = r.Cpu.ApplianceCores >= 0
            ? $"appliance {r.Cpu.ApplianceCores:0.00} cores (loop {r.Cpu.LoopCores:0.00}, oc-messages {r.Cpu.MessagesCores:0.00}), generator {r.Cpu.GeneratorCores:0.00} cores; " +
              $"run-queue wait: loop {r.Cpu.LoopRunQueueWait:0%}, oc-messages {r.Cpu.MessagesRunQueueWait:0%}; machine CPU pressure {r.Cpu.MachineCpuPressure:0%}"
            : $"generator {r.Cpu.GeneratorCores:0.00} cores; machine CPU pressure {r.Cpu.MachineCpuPressure:0%}";

        new Report($"chat: {pairs} pairs x {options.Window} window, {options.MessageSize} B, {target.TransportName}, flush {flush}: {Report.Rate(r.DeliveredPerSecond)} delivered/s, " +
                   $"{Report.Rate(r.AckedPerSecond)} SENT/s; end-to-end p50 {Report.Ms(r.EndToEnd.P50Ms)}, p99 {Report.Ms(r.EndToEnd.P99Ms)}, " +
                   $"p99.9 {Report.Ms(r.EndToEnd.P999Ms)}; SENT p50 {Report.Ms(r.Ack.P50Ms)}, p99 {Report.Ms(r.Ack.P99Ms)}; {groupText}; {cpu}; " +
                   $"lost {r.Lost}, errors {r.Errors}")
            .Add("mode", "chat")
            .Add("pairs", pairs)
            .Add("window", options.Window)
            .Add("messageBytes", options.MessageSize)
            .Add("durationSeconds", options.DurationSeconds)
            .Add("warmupSeconds", options.WarmupSeconds)
            .Add("flush", flush)
            .Add("transport", target.TransportName)
            .Add("setupSeconds", r.SetupSeconds)
            .Add("delivered", r.Delivered)
            .Add("deliveredPerSecond", r.DeliveredPerSecond)
            .Add("sentAcksPerSecond", r.AckedPerSecond)
            .Add("e2eP50Ms", r.EndToEnd.P50Ms)
            .Add("e2eP99Ms", r.EndToEnd.P99Ms)
            .Add("e2eP999Ms", r.EndToEnd.P999Ms)
            .Add("e2eMaxMs", r.EndToEnd.MaxMs)
            .Add("sentP50Ms", r.Ack.P50Ms)
            .Add("sentP99Ms", r.Ack.P99Ms)
            .Add("sentP999Ms", r.Ack.P999Ms)
            .Add("groupsPerSecond", groups > 0 ? groups / options.DurationSeconds : -1)
            .Add("messagesPerGroup", perGroup)
            .Add("groupsFrom", r.Log is not null ? "counters" : r.Cpu.WriteCalls >= 0 ? "write calls" : "n/a")
            .Add("applianceCpuCores", r.Cpu.ApplianceCores)
            .Add("loopThreadCores", r.Cpu.LoopCores)
            .Add("messagesThreadCores", r.Cpu.MessagesCores)
            .Add("loopWakeupsPerSecond", r.Cpu.LoopWakeupsPerSecond)
            .Add("messagesThreadWakeupsPerSecond", r.Cpu.MessagesWakeupsPerSecond)
            .Add("loopRunQueueWait", r.Cpu.LoopRunQueueWait)
            .Add("messagesRunQueueWait", r.Cpu.MessagesRunQueueWait)
            .Add("machineCpuPressure", r.Cpu.MachineCpuPressure)
            .Add("generatorCpuCores", r.Cpu.GeneratorCores)
            .Add("applianceRssMibAfter", r.ApplianceRssKiB >= 0 ? r.ApplianceRssKiB / 1024.0 : -1)
            .Add(target.Pid is null && options.Server is null ? "processAllocatedBytesPerMessage" : "generatorAllocatedBytesPerMessage",
                 r.Delivered > 0 ? (double)r.Cpu.AllocatedBytes / r.Delivered : -1)
            .Add("sendsTotal", r.SentTotal)
            .Add("lost", r.Lost)
            .Add("errors", r.Errors)
            .Add("lastError", r.LastError ?? "")
            .Add("loadAverage", load)
            .Add("target", target.Description)
            .Print(options);
    }

    /// <summary>Printable ASCII (valid UTF-8, as the protocol wants), the same for every message.</summary>
    private static byte[] Filler(int size)
    {
        var text = new byte[size];
        for (int i = 0; i < size; i++) text[i] = (byte)('a' + i % 26);
        return text;
    }

    private readonly record struct ChatResult(
        double SetupSeconds,
        long Delivered,
        double DeliveredPerSecond,
        double AckedPerSecond,
        Percentiles EndToEnd,
        Percentiles Ack,
        long SentTotal,
        long Lost,
        long Errors,
        string? LastError,
        CpuSplit Cpu,
        MessageLogSample? Log,
        long AckedInWindow,
        long ApplianceRssKiB);
}

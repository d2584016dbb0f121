using System.Diagnostics;
using System.Globalization;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// `room` (issue 14, "Targets"): a room of M members, every member logged in on a connection of
/// its own and live, one member keeping W ROOM_SEND in flight for D seconds. Measures messages
/// acknowledged per second (SENT: stored and flushed), deliveries per second (ROOM_MESSAGE events
/// received across the other M - 1 members; the sending session has SENT instead) and the latency
/// from ROOM_SEND written to the last member's receipt. Then, in the same run, Redis pub/sub with M
/// subscribers on one channel and one publisher at the same window and size (<see cref="RoomRedis"/>),
/// and the ratio of the deliveries per second (the target: at least 0.5).
/// </summary>
internal static class RoomMode
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        var credentials = ScramCredentials.Derive(ChatPair.Password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var register = new Register("member", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
        int members = options.Members[0];
        byte[] text = Filler(options.MessageSize);

        int failures = 0;
        var results = new List<(bool Tls, FanOutResult Result)>();
        foreach (bool tls in options.TlsRuns)
        {
            string load = LoadRunner.LoadAverage();
            Target target;
            using (LoadRunner.Phase(options, "start the appliance", TimeSpan.FromSeconds(90)))
                target = Target.Start(options, flushToDisk: true, "room", tls);
            try
            {
                var r = await RunOnceAsync(options, target, members, register, text).ConfigureAwait(false);
                results.Add((tls, r));
                if (r.Errors > 0) failures++;
                Print(options, target, members, load, r);
            }
            finally
            {
                using (LoadRunner.Phase(options, "stop the appliance", TimeSpan.FromSeconds(120)))
                    target.Dispose();
            }
        }

        if (options.Redis)
        {
            string load = LoadRunner.LoadAverage();
            var redis = await RoomRedis.RunAsync(options, members).ConfigureAwait(false);
            PrintRedis(options, members, load, redis, results);
        }
        return failures == 0 ? 0 : 1;
    }

    private static async Task<FanOutResult> RunOnceAsync(LoadOptions options, Target target, int count, Register register, byte[] text)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(600 + options.WarmupSeconds + options.DurationSeconds));
        RoomMembers room;
        using (LoadRunner.Phase(options, $"set up a room of {count} members", TimeSpan.FromSeconds(60 + count * 0.5)))
            room = await RoomMembers.CreateAsync(target, register, count, live: true, cancel.Token).ConfigureAwait(false);
        try
        {
            long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
            var run = new MeasuredRun(start, start + (long)(options.DurationSeconds * Stopwatch.Frequency));
            var last = new LastReceiptTracker(count - 1);
            var receivers = Enumerable.Range(1, count - 1).Select(_ => new FanOutStats()).ToArray();
            var sender = new SenderStats();
            var sampling = SampleAsync(target, run);

            var tasks = new List<Task>(count);
            for (int i = 1; i < count; i++)
            {
                var (connection, stats) = (room.Connections[i], receivers[i - 1]);
                tasks.Add(Task.Run(() => RoomTraffic.ReceiveAsync(connection, run, last, stats, cancel.Token)));
            }
            uint roomId = room.RoomId;
            StampedMessageWriter write = (output, requestId, counter, now) => RoomTraffic.WriteRoomSend(output, requestId, roomId, counter, now, text);
            tasks.Add(Task.Run(() => ChatTraffic.SendAsync(room.Connections[0], write, options.Window, run, sender, cancel.Token)));

            // The sender ends by itself after the window (its last message, then every SENT), each
            // member at the last message: a minute more than the run is a hang.
            using (LoadRunner.Phase(options, "room traffic", TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds + 120)))
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
                await sampling.ConfigureAwait(false);
            }

            return new FanOutResult(
                sender.Acked / run.Seconds,
                receivers.Sum(s => s.Delivered) / run.Seconds,
                LatencyLog.Merge(receivers.Select(s => s.LastReceipt)),
                LatencyLog.Merge([sender.AckLatencies]),
                sender.SentTotal,
                receivers.Sum(s => s.DeliveredTotal),
                sender.Errors,
                sender.LastError,
                await sampling.ConfigureAwait(false),
                target.Description);
        }
        finally
        {
            using (LoadRunner.Phase(options, "close the connections", TimeSpan.FromSeconds(60)))
                room.Dispose();
        }
    }

    private static async Task<CpuSplit> SampleAsync(Target target, MeasuredRun run)
    {
        await DelayUntil(run.StartTicks).ConfigureAwait(false);
        var cpu0 = CpuSplit.Take(target);
        await DelayUntil(run.EndTicks).ConfigureAwait(false);
        return CpuSplit.Between(target, cpu0, CpuSplit.Take(target));
    }

    private static async Task DelayUntil(long ticks)
    {
        long left = ticks - Stopwatch.GetTimestamp();
        if (left > 0) await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency)).ConfigureAwait(false);
    }

    private static void Print(LoadOptions options, Target target, int members, string load, FanOutResult r)
    {
        string cpu = r.Cpu.ApplianceCores >= 0
            ? $"appliance {r.Cpu.ApplianceCores:0.00} cores (loop {r.Cpu.LoopCores:0.00}, oc-messages {r.Cpu.MessagesCores:0.00}), generator {r.Cpu.GeneratorCores:0.00} cores; " +
              $"run-queue wait: loop {r.Cpu.LoopRunQueueWait:0%}; machine CPU pressure {r.Cpu.MachineCpuPressure:0%}"
            : $"generator {r.Cpu.GeneratorCores:0.00} cores; machine CPU pressure {r.Cpu.MachineCpuPressure:0%}";
        // Every message sent is delivered to each of the M - 1 members but the sender, once.
        long lost = r.SentTotal * (members - 1) - r.DeliveredTotal;
        new Report(string.Create(CultureInfo.InvariantCulture,
                $"room: {members} members x {options.Window} window, {options.MessageSize} B, {target.TransportName}, flush on: {Report.Rate(r.AckedPerSecond)} SENT/s, " +
                $"{Report.Rate(r.DeliveriesPerSecond)} deliveries/s (to {members - 1} members); send -> last member p50 {Report.Ms(r.LastReceipt.P50Ms)}, " +
                $"p99 {Report.Ms(r.LastReceipt.P99Ms)}, max {Report.Ms(r.LastReceipt.MaxMs)}; SENT p50 {Report.Ms(r.Ack.P50Ms)}, p99 {Report.Ms(r.Ack.P99Ms)}; {cpu}; " +
                $"lost {lost}, errors {r.Errors}; load average {load}"))
            .Add("mode", "room")
            .Add("members", members)
            .Add("window", options.Window)
            .Add("messageBytes", options.MessageSize)
            .Add("durationSeconds", options.DurationSeconds)
            .Add("warmupSeconds", options.WarmupSeconds)
            .Add("transport", target.TransportName)
            .Add("sentAcksPerSecond", r.AckedPerSecond)
            .Add("deliveriesPerSecond", r.DeliveriesPerSecond)
            .Add("lastMemberP50Ms", r.LastReceipt.P50Ms)
            .Add("lastMemberP99Ms", r.LastReceipt.P99Ms)
            .Add("lastMemberP999Ms", r.LastReceipt.P999Ms)
            .Add("lastMemberMaxMs", r.LastReceipt.MaxMs)
            .Add("sentP50Ms", r.Ack.P50Ms)
            .Add("sentP99Ms", r.Ack.P99Ms)
            .Add("applianceCpuCores", r.Cpu.ApplianceCores)
            .Add("loopThreadCores", r.Cpu.LoopCores)
            .Add("messagesThreadCores", r.Cpu.MessagesCores)
            .Add("generatorCpuCores", r.Cpu.GeneratorCores)
            .Add("machineCpuPressure", r.Cpu.MachineCpuPressure)
            .Add("sendsTotal", r.SentTotal)
            .Add("deliveredTotal", r.DeliveredTotal)
            .Add("lost", lost)
            .Add("errors", r.Errors)
            .Add("lastError", r.LastError ?? "")
            .Add("loadAverage", load)
            .Add("target", target.Description)
            .Print(options);
    }

    private static void PrintRedis(LoadOptions options, int members, string load, FanOutResult redis, List<(bool Tls, FanOutResult Result)> oc)
    {
        var ratios = string.Join(", ", oc.Select(o =>
        {
            double ratio = FanOutFigures.Ratio(o.Result.DeliveriesPerSecond, redis.DeliveriesPerSecond);
            return string.Create(CultureInfo.InvariantCulture, $"{(o.Tls ? "TLS" : "plaintext")} {ratio:0.00}x (target {FanOutFigures.TargetRatio:0.0}x: {FanOutFigures.Verdict(ratio)})");
        }));
        new Report(string.Create(CultureInfo.InvariantCulture,
                $"redis pub/sub: {members} subscribers of one channel, 1 publisher x {options.Window} window, {options.MessageSize} B, plaintext, nothing stored: " +
                $"{Report.Rate(redis.AckedPerSecond)} PUBLISH/s, {Report.Rate(redis.DeliveriesPerSecond)} deliveries/s; send -> last subscriber p50 {Report.Ms(redis.LastReceipt.P50Ms)}, " +
                $"p99 {Report.Ms(redis.LastReceipt.P99Ms)}, max {Report.Ms(redis.LastReceipt.MaxMs)}; room / redis deliveries: {(ratios.Length > 0 ? ratios : "n/a")}; {redis.About}; load average {load}"))
            .Add("mode", "room-redis")
            .Add("subscribers", members)
            .Add("window", options.Window)
            .Add("messageBytes", options.MessageSize)
            .Add("publishesPerSecond", redis.AckedPerSecond)
            .Add("deliveriesPerSecond", redis.DeliveriesPerSecond)
            .Add("lastSubscriberP50Ms", redis.LastReceipt.P50Ms)
            .Add("lastSubscriberP99Ms", redis.LastReceipt.P99Ms)
            .Add("lastSubscriberMaxMs", redis.LastReceipt.MaxMs)
            .Add("ratioTls", RatioOf(oc, tls: true, redis))
            .Add("ratioPlaintext", RatioOf(oc, tls: false, redis))
            .Add("loadAverage", load)
            .Print(options);
    }

    // -1 for a transport that did not run (JSON has no NaN).
    private static double RatioOf(List<(bool Tls, FanOutResult Result)> oc, bool tls, FanOutResult redis)
    {
        foreach (var (t, r) in oc)
        {
            double ratio = FanOutFigures.Ratio(r.DeliveriesPerSecond, redis.DeliveriesPerSecond);
            if (t == tls && !double.IsNaN(ratio)) return ratio;
        }
        return -1;
    }

    /// <summary>Printable ASCII (valid UTF-8, as the protocol wants), the same for every message.</summary>
    public static byte[] Filler(int size)
    {
        var text = new byte[size];
        for (int i = 0; i < size; i++) text[i] = (byte)('a' + i % 26);
        return text;
    }
}

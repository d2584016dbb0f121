using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// `handshakes`: what a new connection costs, and whether a flood of them starves the chat of
/// connections already open. C clients in a loop, each connection: TCP connect, the TLS
/// handshake (TLS 1.3, a full one every time: the appliance keeps no TLS sessions, a client comes
/// back with the protocol's RESUME), HELLO, then either the SCRAM login (SCRAM-SHA-256-PLUS,
/// the client's PBKDF2 included) or RESUME with a session token, then close. Connections
/// completed per second in the measured window, their connect-to-logged-in latency, and the CPU
/// the appliance spent per connection. Beside it a chat probe on two connections opened before
/// (one message every --interval ms): its round trips alone first (the reference), then during
/// each flood, in the same run.
/// </summary>
internal static class HandshakesMode
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        var results = new Dictionary<bool, Result>();
        // --tls both: plaintext, then TLS, each on a fresh appliance, back to back.
        foreach (bool tls in options.TlsRuns) results[tls] = await RunOnceAsync(options, tls).ConfigureAwait(false);
        if (results.TryGetValue(false, out var plain) && results.TryGetValue(true, out var secure))
        {
            new Report(string.Create(CultureInfo.InvariantCulture,
                    $"handshakes: TLS / plaintext = login {Ratio(secure.Login.PerSecond, plain.Login.PerSecond)} ({secure.Login.PerSecond:0} / {plain.Login.PerSecond:0}/s), " +
                    $"resume {Ratio(secure.Resume.PerSecond, plain.Resume.PerSecond)} ({secure.Resume.PerSecond:0} / {plain.Resume.PerSecond:0}/s); appliance CPU per connection TLS - plaintext: " +
                    $"login +{secure.Login.ApplianceMicroseconds - plain.Login.ApplianceMicroseconds:0} µs, resume +{secure.Resume.ApplianceMicroseconds - plain.Resume.ApplianceMicroseconds:0} µs (same invocation, runs back to back)"))
                .Add("mode", "handshakes-tls-ratio")
                .Add("tlsOverPlaintextLogins", secure.Login.PerSecond / plain.Login.PerSecond)
                .Add("tlsOverPlaintextResumes", secure.Resume.PerSecond / plain.Resume.PerSecond)
                .Add("tlsExtraApplianceMicrosecondsPerLogin", secure.Login.ApplianceMicroseconds - plain.Login.ApplianceMicroseconds)
                .Add("tlsExtraApplianceMicrosecondsPerResume", secure.Resume.ApplianceMicroseconds - plain.Resume.ApplianceMicroseconds)
                .Print(options);
        }
        return results.Values.Any(r => r.Login.Errors + r.Resume.Errors > 0) ? 1 : 0;
    }

    private static async Task<Result> RunOnceAsync(LoadOptions options, bool tls)
    {
        int clients = options.Connections[0];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(600 + 2 * options.WarmupSeconds + 3 * options.DurationSeconds));
        var ct = deadline.Token;
        string load = LoadRunner.LoadAverage();
        using var target = Target.Start(options, flushToDisk: true, "handshakes", tls);

        // The users the flood logs in as, and a session token of each for the RESUME flood.
        var credentials = ScramCredentials.Derive(ChatPair.Password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var register = new Register("flood", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
        var users = new uint[options.Users];
        var tokens = new byte[options.Users][];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Users), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, c) =>
        {
            using var connection = await LoadConnection.ConnectAndHelloAsync(target, c).ConfigureAwait(false);
            users[i] = await ChatPair.RegisterAsync(connection, register, c).ConfigureAwait(false);
            tokens[i] = await ChatPair.LoginAsync(connection, users[i], c).ConfigureAwait(false);
        }).ConfigureAwait(false);

        using var probe = new ChatProbe(await ChatPair.CreateAsync(target, register, ct).ConfigureAwait(false), TimeSpan.FromMilliseconds(options.IntervalMs), options.MessageSize);
        // Not counted: the first round trips compile the code they run through.
        await probe.RunAsync(Math.Max(1, options.WarmupSeconds)).ConfigureAwait(false);
        var quiet = CpuSplit.Take(target);
        var reference = await probe.RunAsync(options.DurationSeconds).ConfigureAwait(false);
        var quietCpu = CpuSplit.Between(target, quiet, CpuSplit.Take(target));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"handshakes, {target.TransportName}: chat alone (the reference): {reference}; run-queue wait of the loop {quietCpu.LoopRunQueueWait:0%}, machine CPU pressure {quietCpu.MachineCpuPressure:0%}"));

        var login = await FloodAsync(options, target, clients, users, null, probe, ct).ConfigureAwait(false);
        var resume = await FloodAsync(options, target, clients, users, tokens, probe, ct).ConfigureAwait(false);

        string connect = tls ? "TCP + TLS handshake + HELLO" : "TCP + HELLO";
        Print(options, target, clients, load, "login", $"{connect} + {(tls ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256")} login, then close", login, reference);
        Print(options, target, clients, load, "resume", $"{connect} + RESUME, then close", resume, reference);
        return new Result(login, resume);
    }

    /// <summary>
    /// <paramref name="clients"/> connect loops for the warm-up and the measured window; the probe
    /// runs during the measured window. A null <paramref name="tokens"/> means the SCRAM login.
    /// </summary>
    private static async Task<Flood> FloodAsync(LoadOptions options, Target target, int clients, uint[] users, byte[][]? tokens, ChatProbe probe, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
        var run = new MeasuredRun(start, start + (long)(options.DurationSeconds * Stopwatch.Frequency));
        var stats = Enumerable.Range(0, clients).Select(_ => new ConnectionStats()).ToArray();
        var sampling = SampleAsync(target, run);
        var probing = Task.Run(async () =>
        {
            await DelayUntil(run.StartTicks).ConfigureAwait(false);
            return await probe.RunAsync(run.Seconds).ConfigureAwait(false);
        }, ct);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => ConnectLoopAsync(target, i, clients, users, tokens, run, stats[i], ct), ct))).ConfigureAwait(false);
        var cpu = await sampling.ConfigureAwait(false);
        var chat = await probing.ConfigureAwait(false);

        long completed = stats.Sum(s => s.Completed);
        double perSecond = completed / run.Seconds;
        return new Flood(
            completed,
            perSecond,
            LatencyLog.Merge(stats.Select(s => s.Latencies)),
            stats.Sum(s => s.Errors),
            stats.Select(s => s.LastError).LastOrDefault(e => e is not null),
            cpu,
            perSecond > 0 && cpu.ApplianceCores >= 0 ? cpu.ApplianceCores / perSecond * 1e6 : -1,
            chat);
    }

    /// <summary>One client: a connection after another until the window ends; only those that end inside it count.</summary>
    private static async Task ConnectLoopAsync(Target target, int first, int step, uint[] users, byte[][]? tokens, MeasuredRun run, ConnectionStats stats, CancellationToken ct)
    {
        for (int k = first; Stopwatch.GetTimestamp() < run.EndTicks; k += step)
        {
            int user = k % users.Length;
            long began = Stopwatch.GetTimestamp();
            try
            {
                using var connection = await LoadConnection.ConnectAsync(target, ct).ConfigureAwait(false);
                LoadConnection.WriteHello(connection.Output);
                // RESUME pipelined behind HELLO, as a returning client may; the login waits for WELCOME, as `oc` does.
                if (tokens is not null) Resume.Write(connection.Output, 2, new Resume(tokens[user]));
                await connection.FlushAsync(ct).ConfigureAwait(false);
                ChatPair.Expect(await connection.ReadFrameAsync(ct).ConfigureAwait(false), FrameType.Welcome, "HELLO");
                if (tokens is not null) ChatPair.Expect(await connection.ReadFrameAsync(ct).ConfigureAwait(false), FrameType.LoggedIn, "RESUME");
                else await ChatPair.LoginAsync(connection, users[user], ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or AuthenticationException)
            {
                stats.Errors++;
                stats.LastError = e.Message;
                continue;
            }
            long done = Stopwatch.GetTimestamp();
            if (done >= run.StartTicks && done < run.EndTicks)
            {
                stats.Completed++;
                stats.Latencies.Add(done - began);
            }
        }
    }

    private static async Task<CpuSplit> SampleAsync(Target target, MeasuredRun run)
    {
        await DelayUntil(run.StartTicks).ConfigureAwait(false);
        var a = CpuSplit.Take(target);
        await DelayUntil(run.EndTicks).ConfigureAwait(false);
        return CpuSplit.Between(target, a, CpuSplit.Take(target));
    }

    private static async Task DelayUntil(long ticks)
    {
        long left = ticks - Stopwatch.GetTimestamp();
        if (left > 0) await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency)).ConfigureAwait(false);
    }

    private static void Print(LoadOptions options, Target target, int clients, string load, string kind, string what, Flood f, ProbePhase reference)
    {
        string perConnection = f.ApplianceMicroseconds >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"appliance {f.Cpu.ApplianceCores:0.00} cores = {f.ApplianceMicroseconds:0} µs per connection (loop thread {f.Cpu.LoopCores:0.00} cores = {f.Cpu.LoopCores / f.PerSecond * 1e6:0} µs)")
            : "appliance CPU n/a";
        new Report(string.Create(CultureInfo.InvariantCulture,
                $"handshakes, {target.TransportName}, {kind} ({what}), {clients} at a time: {Report.Rate(f.PerSecond)} connections/s, " +
                $"connect to logged in p50 {Report.Ms(f.Latency.P50Ms)}, p99 {Report.Ms(f.Latency.P99Ms)}; {perConnection}; generator {f.Cpu.GeneratorCores:0.00} cores; " +
                $"run-queue wait of the loop {f.Cpu.LoopRunQueueWait:0%}, machine CPU pressure {f.Cpu.MachineCpuPressure:0%}; errors {f.Errors}\n" +
                $"  chat on open connections: before {reference}; during the flood {f.Chat} (p50 {Ratio(f.Chat.Latency.P50Ms, reference.Latency.P50Ms)}, p99 {Ratio(f.Chat.Latency.P99Ms, reference.Latency.P99Ms)} of before)"))
            .Add("mode", "handshakes")
            .Add("transport", target.TransportName)
            .Add("kind", kind)
            .Add("clients", clients)
            .Add("users", options.Users)
            .Add("durationSeconds", options.DurationSeconds)
            .Add("warmupSeconds", options.WarmupSeconds)
            .Add("connections", f.Completed)
            .Add("connectionsPerSecond", f.PerSecond)
            .Add("p50Ms", f.Latency.P50Ms)
            .Add("p99Ms", f.Latency.P99Ms)
            .Add("maxMs", f.Latency.MaxMs)
            .Add("applianceCpuCores", f.Cpu.ApplianceCores)
            .Add("applianceMicrosecondsPerConnection", f.ApplianceMicroseconds)
            .Add("loopThreadCores", f.Cpu.LoopCores)
            .Add("loopRunQueueWait", f.Cpu.LoopRunQueueWait)
            .Add("generatorCpuCores", f.Cpu.GeneratorCores)
            .Add("machineCpuPressure", f.Cpu.MachineCpuPressure)
            .Add("chatIntervalMs", options.IntervalMs)
            .Add("chatBeforeCount", reference.Count)
            .Add("chatBeforeP50Ms", reference.Latency.P50Ms)
            .Add("chatBeforeP99Ms", reference.Latency.P99Ms)
            .Add("chatBeforeMaxMs", reference.Latency.MaxMs)
            .Add("chatDuringCount", f.Chat.Count)
            .Add("chatDuringP50Ms", f.Chat.Latency.P50Ms)
            .Add("chatDuringP99Ms", f.Chat.Latency.P99Ms)
            .Add("chatDuringMaxMs", f.Chat.Latency.MaxMs)
            .Add("errors", f.Errors)
            .Add("lastError", f.LastError ?? "")
            .Add("loadAverage", load)
            .Add("target", target.Description)
            .Print(options);
    }

    private static string Ratio(double a, double b) => b > 0 ? string.Create(CultureInfo.InvariantCulture, $"{a / b:0.00}x") : "n/a";

    private readonly record struct Flood(long Completed, double PerSecond, Percentiles Latency, long Errors, string? LastError, CpuSplit Cpu, double ApplianceMicroseconds, ProbePhase Chat);

    private readonly record struct Result(Flood Login, Flood Resume);
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OC.Appliance.Storage.Messages;
using OC.Bench.Load;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Scale;

/// <summary>
/// `scale --data DIR`: the published appliance on a folder `fill` wrote, measured as issue 13
/// asks: start to listening (from the process's start to its listening line), idle RSS, HISTORY
/// pages of 50 before random seqs (random depths), one at a time, and a SYNC of the 10,000
/// newest messages of one user (pages until SYNCED says no more). Plaintext (--insecure-plaintext)
/// and no rate limits: the subject is the storage. The appliance is stopped with SIGTERM at the
/// end and waited for, whatever happens; then the same HISTORY pages are timed in this process on
/// the log itself, to tell the storage's part from the rest.
/// </summary>
internal static partial class ScaleMode
{
    private const int PageSize = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ScaleOptions.Parse(args);
        string binary = options.Appliance ?? IdleMode.DefaultAotBinary()
            ?? throw new UsageException("scale needs the AOT appliance: run ./publish.sh linux-x64 first, or pass --appliance PATH");
        var manifest = Manifest.Read(Path.Combine(options.Data, FillMode.ManifestName));
        Console.WriteLine($"# bench scale --data {options.Data} --samples {options.Samples}");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadRunner.LoadAverage()}, {manifest.Messages} messages in {manifest.Conversations.Count} conversations");

        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])["--data", options.Data, "--port", "0", "--http-port", "0", "--bind", "127.0.0.1", "--insecure-plaintext", "--no-rate-limits"])
            start.ArgumentList.Add(arg);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the appliance");
        long listenedMs = 0;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (e.Data.Contains("messages.", StringComparison.Ordinal)) Console.WriteLine($"  appliance: {e.Data}");
            var match = ListenLine().Match(e.Data);
            if (match.Success && !listening.Task.IsCompleted)
            {
                listenedMs = clock.ElapsedMilliseconds;
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            int port = await listening.Task.WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            Console.WriteLine($"start to listening: {listenedMs} ms");
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            Console.WriteLine($"idle RSS: {ProcStats.ReadMemory(process.Id).VmRssKiB / 1024.0:0.0} MiB");

            await MeasureHistoryAsync(port, manifest, options.Samples).ConfigureAwait(false);
            await MeasureSyncAsync(port, manifest).ConfigureAwait(false);
            Console.WriteLine($"RSS after the measurements: {ProcStats.ReadMemory(process.Id).VmRssKiB / 1024.0:0.0} MiB");
        }
        finally
        {
            Stop(process);
        }
        MeasureStorage(options.Data, manifest, options.Samples);
        return 0;
    }

    /// <summary>SIGTERM (a clean stop checkpoints the index), then SIGKILL if it has not gone within 30 s.</summary>
    private static void Stop(Process process)
    {
        if (process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) kill?.WaitForExit();
        if (process.WaitForExit(TimeSpan.FromSeconds(30))) return;
        process.Kill(entireProcessTree: false);
        process.WaitForExit();
    }

    /// <summary>
    /// The same HISTORY pages read in this process straight from the log and its index (the
    /// appliance stopped): what the storage costs without the network, the loop and the scheduler.
    /// </summary>
    private static void MeasureStorage(string data, Manifest manifest, int samples)
    {
        var random = new Random(7);
        var deep = manifest.Conversations.Where(c => c.Count > PageSize).ToList();
        var times = new List<double>(samples);
        var cpuTimes = new List<double>(samples);
        var sink = new CountingSink();
        using var log = new MessageLog(data);
        for (int i = 0; i < samples + 100; i++)
        {
            var c = deep[random.Next(deep.Count)];
            ulong before = (ulong)random.NextInt64(1, manifest.Messages + 1);
            double cpu0 = ThreadCpuMs();
            long t0 = Stopwatch.GetTimestamp();
            var page = log.Conversation(c.A, c.B, before, PageSize);
            page.Read(ref sink);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            double cpu = ThreadCpuMs() - cpu0;
            if (i < 100) continue;
            times.Add(ms);
            cpuTimes.Add(cpu);
        }
        times.Sort();
        cpuTimes.Sort();
        // On a loaded machine the wall clock includes waiting for a core; the thread's CPU time does not.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"history in process (MessageLog.Conversation + Read, no network): {times.Count} pages, wall p50 {Percentile(times, 0.50):0.000} ms, p99 {Percentile(times, 0.99):0.000} ms, max {times[^1]:0.000} ms; " +
            $"thread CPU p50 {Percentile(cpuTimes, 0.50):0.000} ms, p99 {Percentile(cpuTimes, 0.99):0.000} ms"));
    }

    private static double ThreadCpuMs()
    {
        // CLOCK_THREAD_CPUTIME_ID (3): this thread's CPU time, in nanoseconds.
        return ClockGetTime(3, out var ts) == 0 ? ts.Seconds * 1000.0 + ts.Nanoseconds / 1e6 : 0;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private sealed class CountingSink : IMessageSink
    {
        public long Count { get; private set; }

        public bool Accept(in MessageRecord message)
        {
            Count += message.Text.Length > 0 ? 1 : 0;
            return true;
        }
    }

    private static async Task MeasureHistoryAsync(int port, Manifest manifest, int samples)
    {
        var random = new Random(7);
        // Conversations of a few users (one connection each), with enough messages to page into.
        var deep = manifest.Conversations.Where(c => c.Count > PageSize).ToList();
        var askers = deep.Select(c => c.A).Distinct().Take(8).ToList();
        var connections = new Dictionary<int, OcConnection>();
        try
        {
            foreach (int user in askers) connections[user] = await LoginAsync(port, user).ConfigureAwait(false);
            var mine = deep.Where(c => connections.ContainsKey(c.A)).ToList();
            var times = new List<double>(samples);
            long pages = 0, messages = 0;
            for (int i = 0; i < samples + 100; i++)
            {
                var c = mine[random.Next(mine.Count)];
                ulong before = (ulong)random.NextInt64(1, manifest.Messages + 1);
                long t0 = Stopwatch.GetTimestamp();
                var reply = await connections[c.A].RequestAsync((b, id) => HistoryRequest.Write(b, id, new HistoryRequest((uint)c.B, before, PageSize))).ConfigureAwait(false);
                double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (reply.Type != FrameType.HistoryPage || !HistoryPage.TryRead(reply.Payload, out _, out var page)) throw new InvalidOperationException($"HISTORY answered {reply.Type}");
                if (page.Count > 0 && page[^1].Seq >= before) throw new InvalidOperationException("HISTORY returned a message at or after its seq");
                if (i < 100) continue; // warm-up: connections, JIT of the client
                times.Add(ms);
                pages++;
                messages += page.Count;
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"history: {pages} pages of up to {PageSize} before random seqs in {mine.Count} conversations ({messages / (double)pages:0.0} messages a page): " +
                $"p50 {Percentile(times, 0.50):0.00} ms, p99 {Percentile(times, 0.99):0.00} ms, max {times[^1]:0.00} ms"));
        }
        finally
        {
            foreach (var connection in connections.Values) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task MeasureSyncAsync(int port, Manifest manifest)
    {
        await using var connection = await LoginAsync(port, manifest.OfflineUser).ConfigureAwait(false);
        ulong after = manifest.OfflineAfter;
        int received = 0, pages = 0;
        long t0 = Stopwatch.GetTimestamp();
        while (true)
        {
            var reply = await connection.RequestAsync((b, id) => SeqNumber.Write(b, FrameType.Sync, id, after)).ConfigureAwait(false);
            if (reply.Type != FrameType.Synced || !Synced.TryRead(reply.Payload, out var synced)) throw new InvalidOperationException($"SYNC answered {reply.Type}");
            while (connection.Events.TryRead(out var frame))
            {
                if (frame.Type == FrameType.Message) received++;
            }
            pages++;
            after = synced.LastSeq;
            if (!synced.More) break;
        }
        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sync: {received} offline messages in {pages} SYNC pages: {ms:0} ms"));
    }

    private static async Task<OcConnection> LoginAsync(int port, int user)
    {
        var connection = await OcConnection.ConnectAsync("127.0.0.1", port, "bench-scale", OcTransport.Plaintext).ConfigureAwait(false);
        var scram = new ScramClient(user.ToString("D6", CultureInfo.InvariantCulture), FillMode.Password, channelBinding: connection.ChannelBinding);
        var challenge = await connection.RequestAsync((b, id) => ScramStep.Write(b, FrameType.LoginStart, id, scram.ClientFirstMessage)).ConfigureAwait(false);
        if (challenge.Type != FrameType.LoginChallenge || !ScramStep.TryRead(challenge.Payload, out var serverFirst)) throw new InvalidOperationException($"LOGIN_START answered {challenge.Type}");
        var final = scram.ProcessServerFirst(serverFirst);
        var reply = await connection.RequestAsync((b, id) => ScramStep.Write(b, FrameType.LoginFinish, id, final)).ConfigureAwait(false);
        if (reply.Type != FrameType.LoggedIn) throw new InvalidOperationException($"LOGIN_FINISH answered {reply.Type}");
        return connection;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    [GeneratedRegex(@"appliance\.listening: protocol on [^ ]*:(\d+) ")]
    private static partial Regex ListenLine();

    private sealed record Manifest(long Messages, int OfflineUser, ulong OfflineAfter, List<(int A, int B, long Count)> Conversations)
    {
        public static Manifest Read(string path)
        {
            if (!File.Exists(path)) throw new UsageException($"{path} is missing: fill the folder with `fill` first");
            long messages = 0;
            int user = 0;
            ulong after = 0;
            var conversations = new List<(int, int, long)>();
            foreach (var line in File.ReadLines(path))
            {
                var (key, value) = (line[..line.IndexOf('=', StringComparison.Ordinal)], line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                switch (key)
                {
                    case "messages": messages = long.Parse(value, CultureInfo.InvariantCulture); break;
                    case "offline-user": user = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "offline-after": after = ulong.Parse(value, CultureInfo.InvariantCulture); break;
                    case "conversation":
                        var parts = value.Split(',');
                        conversations.Add((int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture)));
                        break;
                }
            }
            return new Manifest(messages, user, after, conversations);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// `chat-during-upload`: how prompt chat between two users stays while a third uploads a large
/// file (--mib, 1 GiB by default) through the same appliance. One message at a time every
/// --interval ms; a round trip is from writing the SEND until both its SENT (at the sender) and its
/// MESSAGE (at the live receiver) are in. After --warmup seconds of it (not counted), the same chat
/// runs for -d seconds before the upload and again after it, in the same run and on the same
/// connections: absolute latencies move 2-3x from one day to the next on a shared machine, so the
/// upload's effect is read as a ratio to these.
/// Always its own appliance on 127.0.0.1 (in this process, or --appliance): it registers users and
/// stores the file. Every phase is bounded; the temp files go at the end.
/// </summary>
internal static class ChatDuringUploadMode
{
    private const string Password = "bench password";

    public static async Task<int> RunAsync(LoadOptions options)
    {
        long size = options.SizeMiB * 1024L * 1024;
        var interval = TimeSpan.FromMilliseconds(options.IntervalMs);
        // Beyond any upload this machine does (1 GiB took 3-8 s): a hang ends the run, not the machine.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.WarmupSeconds + 2 * options.DurationSeconds + 600));
        string work = Path.Combine(options.DataRoot ?? Path.GetTempPath(), $"oc-bench-chat-upload-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string source = Path.Combine(work, "source.bin");
            await FilesMode.WriteRandomAsync(source, size).ConfigureAwait(false);
            using var target = Target.Start(options, flushToDisk: !options.NoFlush, "chat-upload", options.TlsRuns[0]);
            string host = target.EndPoint.Address.ToString();
            int port = target.EndPoint.Port;
            await using var uploader = await OcConnection.ConnectAsync(host, port, "oc-bench", target.Transport, deadline.Token).ConfigureAwait(false);
            await using var recipient = await OcConnection.ConnectAsync(host, port, "oc-bench", target.Transport, deadline.Token).ConfigureAwait(false);
            await using var sender = await OcConnection.ConnectAsync(host, port, "oc-bench", target.Transport, deadline.Token).ConfigureAwait(false);
            await using var receiver = await OcConnection.ConnectAsync(host, port, "oc-bench", target.Transport, deadline.Token).ConfigureAwait(false);
            uint uploaderNumber = await SignUpAsync(uploader, "bench-up", deadline.Token).ConfigureAwait(false);
            uint recipientNumber = await SignUpAsync(recipient, "bench-down", deadline.Token).ConfigureAwait(false);
            uint senderNumber = await SignUpAsync(sender, "bench-chat-a", deadline.Token).ConfigureAwait(false);
            uint receiverNumber = await SignUpAsync(receiver, "bench-chat-b", deadline.Token).ConfigureAwait(false);
            // Asked and accepted (the default --friends consent; with open the request alone does it).
            if (!(await OcFriends.AddAsync(uploader, recipientNumber, deadline.Token).ConfigureAwait(false)).Friend)
                await OcFriends.AcceptAsync(recipient, uploaderNumber, deadline.Token).ConfigureAwait(false);
            if (!(await OcFriends.AddAsync(sender, receiverNumber, deadline.Token).ConfigureAwait(false)).Friend)
                await OcFriends.AcceptAsync(receiver, senderNumber, deadline.Token).ConfigureAwait(false);
            // The receiver is live after a SYNC that ends the history (there is none yet).
            if ((await OcMessages.SyncPageAsync(receiver, 0, deadline.Token).ConfigureAwait(false)).More)
                throw new InvalidOperationException("a fresh user's SYNC said more = 1");

            var chat = new Chat(sender, receiver, receiverNumber, interval, Math.Max(options.MessageSize, 10));
            // Not counted: the first round trips compile the code they run through.
            await chat.RunAsync(Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), deadline.Token), deadline.Token).ConfigureAwait(false);
            string load = LoadRunner.LoadAverage();
            var before = await chat.RunAsync(Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds), deadline.Token), deadline.Token).ConfigureAwait(false);

            var clock = Stopwatch.StartNew();
            Task<ulong> upload;
            await using (var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024))
            {
                upload = Task.Run(() => OcFiles.UploadAsync(uploader, recipientNumber, "source.bin", file, cancellationToken: deadline.Token));
                var during = await chat.RunAsync(upload, deadline.Token).ConfigureAwait(false);
                await upload.ConfigureAwait(false);
                double uploadSeconds = clock.Elapsed.TotalSeconds;
                var after = await chat.RunAsync(Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds), deadline.Token), deadline.Token).ConfigureAwait(false);
                Print(options, target, load, before, during, after, size, uploadSeconds);
            }
            return 0;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Console.Error.WriteLine($"oc-bench: chat-during-upload did not finish within {options.WarmupSeconds + 2 * options.DurationSeconds + 600:0} s; stopped");
            return 1;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException e) { Console.Error.WriteLine($"oc-bench: could not delete {work}: {e.Message}"); }
        }
    }

    private static async Task<uint> SignUpAsync(OcConnection connection, string nick, CancellationToken cancellationToken)
    {
        // The RFC minimum: the setup is not what is measured.
        uint number = await OcAccounts.RegisterAsync(connection, nick, "", Password, ScramCredentials.MinIterations, cancellationToken).ConfigureAwait(false);
        await OcAccounts.LoginAsync(connection, number, Password, cancellationToken).ConfigureAwait(false);
        return number;
    }

    private static void Print(LoadOptions options, Target target, string load, Phase before, Phase during, Phase after, long size, double uploadSeconds)
    {
        double mib = size / (1024.0 * 1024);
        Console.WriteLine($"reference before: {before}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"during the upload of {mib:0} MiB ({uploadSeconds:0.00} s, {mib / uploadSeconds:0} MiB/s): {during}"));
        Console.WriteLine($"reference after:  {after}");
        var reference = before.Latency;
        new Report(string.Create(CultureInfo.InvariantCulture,
                $"chat-during-upload: {mib:0} MiB upload, a message every {options.IntervalMs} ms; during / before: p50 {Ratio(during.Latency.P50Ms, reference.P50Ms)}, " +
                $"p99 {Ratio(during.Latency.P99Ms, reference.P99Ms)}, max {Ratio(during.Latency.MaxMs, reference.MaxMs)} " +
                $"(after / before: p50 {Ratio(after.Latency.P50Ms, reference.P50Ms)}, p99 {Ratio(after.Latency.P99Ms, reference.P99Ms)})"))
            .Add("mode", "chat-during-upload")
            .Add("uploadBytes", size)
            .Add("uploadSeconds", uploadSeconds)
            .Add("uploadMiBPerSecond", mib / uploadSeconds)
            .Add("intervalMs", options.IntervalMs)
            .Add("messageBytes", Math.Max(options.MessageSize, 10))
            .Add("warmupSeconds", options.WarmupSeconds)
            .Add("referenceSeconds", options.DurationSeconds)
            .Add("beforeCount", before.Count)
            .Add("beforeP50Ms", before.Latency.P50Ms)
            .Add("beforeP99Ms", before.Latency.P99Ms)
            .Add("beforeMaxMs", before.Latency.MaxMs)
            .Add("duringCount", during.Count)
            .Add("duringP50Ms", during.Latency.P50Ms)
            .Add("duringP99Ms", during.Latency.P99Ms)
            .Add("duringMaxMs", during.Latency.MaxMs)
            .Add("afterCount", after.Count)
            .Add("afterP50Ms", after.Latency.P50Ms)
            .Add("afterP99Ms", after.Latency.P99Ms)
            .Add("afterMaxMs", after.Latency.MaxMs)
            .Add("flush", !options.NoFlush)
            .Add("loadAverage", load)
            .Add("target", target.Description)
            .Print(options);
    }

    private static string Ratio(double a, double b) => b > 0 ? string.Create(CultureInfo.InvariantCulture, $"{a / b:0.0}x") : "n/a";

    /// <summary>One phase's round trips.</summary>
    private readonly record struct Phase(int Count, Percentiles Latency)
    {
        public override string ToString() =>
            $"{Count} round trips, p50 {Report.Ms(Latency.P50Ms)}, p99 {Report.Ms(Latency.P99Ms)}, max {Report.Ms(Latency.MaxMs)}";
    }

    /// <summary>The two chatting users: one message at a time, paced, each checked to arrive in order.</summary>
    private sealed class Chat(OcConnection sender, OcConnection receiver, uint receiverNumber, TimeSpan interval, int textBytes)
    {
        private int _next;

        /// <summary>Round trips, one per tick of the interval, started until <paramref name="until"/> completes (the last may end after it).</summary>
        public async Task<Phase> RunAsync(Task until, CancellationToken cancellationToken)
        {
            var log = new LatencyLog();
            using var pace = new PeriodicTimer(interval);
            while (!until.IsCompleted)
            {
                log.Add(await RoundTripAsync(cancellationToken).ConfigureAwait(false));
                await Task.WhenAny(pace.WaitForNextTickAsync(cancellationToken).AsTask(), until).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            // The phase's own task failing (the upload) is the run's failure.
            await until.ConfigureAwait(false);
            return new Phase(log.Count, LatencyLog.Merge([log]));
        }

        private async Task<long> RoundTripAsync(CancellationToken cancellationToken)
        {
            string text = _next.ToString("D10", CultureInfo.InvariantCulture).PadRight(textBytes, '.');
            _next++;
            long start = Stopwatch.GetTimestamp();
            var delivered = ReceiveAsync(text, cancellationToken);
            await OcMessages.SendAsync(sender, receiverNumber, text, cancellationToken: cancellationToken).ConfigureAwait(false);
            long sent = Stopwatch.GetTimestamp();
            long arrived = await delivered.ConfigureAwait(false);
            return Math.Max(sent, arrived) - start;
        }

        /// <summary>The next MESSAGE at the receiver, which must be <paramref name="text"/>; returns when it was read.</summary>
        private async Task<long> ReceiveAsync(string text, CancellationToken cancellationToken)
        {
            while (true)
            {
                var frame = await receiver.Events.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (frame.Type != FrameType.Message) continue;
                long at = Stopwatch.GetTimestamp();
                if (!ChatMessage.TryRead(frame.Payload, out var message)) throw new InvalidOperationException("malformed MESSAGE");
                if (message.Text != text) throw new InvalidOperationException($"expected message '{text}', got '{message.Text}'");
                return at;
            }
        }
    }
}

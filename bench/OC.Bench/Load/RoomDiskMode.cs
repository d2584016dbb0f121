using System.Diagnostics;
using System.Globalization;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// `room-disk` (issue 14, "Targets": a room message's storage cost independent of member count):
/// per case a fresh appliance sets up a room of N members (an open room, N - 1 joins) or, as the
/// reference, two friends; it stops cleanly (the index is checkpointed at the stop), the sizes of
/// messages.log, messages.index and its checkpoint are read; it starts again on the same folder,
/// the sender logs in and sends K messages of the given size (W in flight, each acknowledged after
/// its flush), it stops cleanly again, and the growth of each file is divided by K.
/// </summary>
/// <remarks>
/// The stop before the messages makes the "before" sizes those of a quiet appliance (the set-up's
/// membership entries indexed and checkpointed), so the difference is the messages' alone. The
/// whole folder's growth is shown too (the account database also records the second login).
/// </remarks>
internal static class RoomDiskMode
{
    private const string LogFile = "messages.log";
    private const string IndexFile = "messages.index";
    private const string CheckpointFile = "messages.index.checkpoint";

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var credentials = ScramCredentials.Derive(ChatPair.Password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var register = new Register("member", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
        byte[] text = RoomMode.Filler(options.MessageSize);
        bool tls = options.TlsRuns[0];

        var results = new List<DiskResult>();
        results.Add(await RunCaseAsync(options, tls, register, text, members: 0).ConfigureAwait(false));
        foreach (int members in options.Members)
            results.Add(await RunCaseAsync(options, tls, register, text, members).ConfigureAwait(false));

        var reference = results[0];
        foreach (var r in results.Skip(1))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"room-disk: {r.Case}: {r.PerMessage:0.0} B/message on disk (log {r.LogPerMessage:0.0} + index {r.IndexPerMessage:0.0} + checkpoint {r.CheckpointPerMessage:0.0}), " +
                $"{r.PerMessage / reference.PerMessage:0.00}x the 1:1 conversation's {reference.PerMessage:0.0}"));
        }
        if (results.Count > 2)
        {
            var (small, large) = (results[1], results[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"room-disk: {large.Case} / {small.Case} = {large.PerMessage / small.PerMessage:0.000}x bytes per message ({large.PerMessage - small.PerMessage:+0.0;-0.0;0} B)"));
        }
        return 0;
    }

    /// <param name="members">0: the 1:1 reference (two friends); else a room of that many.</param>
    private static async Task<DiskResult> RunCaseAsync(LoadOptions options, bool tls, Register register, byte[] text, int members)
    {
        string name = members == 0 ? "1:1 conversation" : $"room of {members} members";
        string load = LoadRunner.LoadAverage();
        string folder = Target.NewDataDirectory(options, "room-disk");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1200));
        try
        {
            uint sender;
            StampedMessageWriter write;
            var setup = Stopwatch.StartNew();
            var target = Start(options, tls, folder);
            try
            {
                using (LoadRunner.Phase(options, $"set up the {name}", TimeSpan.FromSeconds(60 + members * 0.5)))
                {
                    if (members == 0)
                    {
                        using var pair = await ChatPair.CreateAsync(target, register, cancel.Token).ConfigureAwait(false);
                        (sender, uint to) = (pair.SenderNumber, pair.ReceiverNumber);
                        write = (output, requestId, counter, now) => ChatTraffic.WriteSend(output, requestId, to, counter, now, text);
                    }
                    else
                    {
                        using var room = await RoomMembers.CreateAsync(target, register, members, live: false, cancel.Token).ConfigureAwait(false);
                        (sender, uint roomId) = (room.Numbers[0], room.RoomId);
                        write = (output, requestId, counter, now) => RoomTraffic.WriteRoomSend(output, requestId, roomId, counter, now, text);
                    }
                }
            }
            finally
            {
                Stop(options, target);
            }
            setup.Stop();
            var before = Sizes(folder);

            var send = Stopwatch.StartNew();
            target = Start(options, tls, folder);
            try
            {
                using (LoadRunner.Phase(options, $"send {options.Messages} messages", TimeSpan.FromSeconds(120 + options.Messages / 100.0)))
                {
                    using var connection = await LoadConnection.ConnectAndHelloAsync(target, cancel.Token).ConfigureAwait(false);
                    await ChatPair.LoginAsync(connection, sender, cancel.Token).ConfigureAwait(false);
                    await SendCountAsync(connection, write, options.Window, options.Messages, cancel.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                Stop(options, target);
            }
            send.Stop();
            var after = Sizes(folder);

            var r = new DiskResult(name, members, options.Messages, before, after);
            Print(options, r, setup.Elapsed.TotalSeconds, send.Elapsed.TotalSeconds, load);
            return r;
        }
        finally
        {
            BenchCleanup.DeleteFolder(folder);
        }
    }

    private static Target Start(LoadOptions options, bool tls, string folder)
    {
        using (LoadRunner.Phase(options, "start the appliance", TimeSpan.FromSeconds(90)))
            return Target.Start(options, flushToDisk: true, "room-disk", tls, dataDirectory: folder);
    }

    // A clean stop: the message worker checkpoints the index before the appliance ends (a spawned
    // one on SIGTERM). The stop waits up to 60 s, then kills: only a hang misses this.
    private static void Stop(LoadOptions options, Target target)
    {
        using (LoadRunner.Phase(options, "stop the appliance", TimeSpan.FromSeconds(120)))
            target.Dispose();
    }

    /// <summary>Sends exactly <paramref name="count"/> messages, <paramref name="window"/> in flight, and waits for every SENT.</summary>
    private static async Task SendCountAsync(LoadConnection connection, StampedMessageWriter write, int window, int count, CancellationToken cancellationToken)
    {
        var generation = new ushort[window];
        int sent = 0, acked = 0;
        for (int slot = 0; slot < window && sent < count; slot++)
            write(connection.Output, RequestId(slot, 0), (ulong)++sent, Stopwatch.GetTimestamp());
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (acked < count)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false)) throw new IOException("the appliance closed the sender's connection");
            (sent, acked) = OnReplies(connection, write, generation, sent, acked, count);
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Synchronous so the payload spans never live across an await.
    private static (int Sent, int Acked) OnReplies(LoadConnection connection, StampedMessageWriter write, ushort[] generation, int sent, int acked, int count)
    {
        while (connection.TryTakeFrame(out var header, out var payload))
        {
            if (header.RequestId == Frame.NoRequest && header.Type != FrameType.Error)
            {
                connection.Consume(header);
                continue;
            }
            if (header.Type != FrameType.Sent)
            {
                ErrorReply.TryRead(payload, out var error);
                throw new IOException($"a message was answered with {header.Type} {error.Code}: {error.Message}");
            }
            int slot = (int)(header.RequestId & 0xFFFF) - 1;
            if (slot < 0 || slot >= generation.Length) throw new IOException($"SENT for unknown request {header.RequestId}");
            connection.Consume(header);
            acked++;
            if (sent < count) write(connection.Output, RequestId(slot, ++generation[slot]), (ulong)++sent, Stopwatch.GetTimestamp());
        }
        return (sent, acked);
    }

    private static uint RequestId(int slot, ushort generation) => ((uint)generation << 16) | (uint)(slot + 1);

    private static FolderSizes Sizes(string folder)
    {
        long Size(string file) => File.Exists(Path.Combine(folder, file)) ? new FileInfo(Path.Combine(folder, file)).Length : 0;
        long total = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        return new FolderSizes(Size(LogFile), Size(IndexFile), Size(CheckpointFile), total);
    }

    private static void Print(LoadOptions options, DiskResult r, double setupSeconds, double sendSeconds, string load) =>
        new Report(string.Create(CultureInfo.InvariantCulture,
                $"room-disk: {r.Case}, {r.Messages:#,0} x {options.MessageSize} B: {LogFile} +{r.After.Log - r.Before.Log:#,0} B, {IndexFile} +{r.After.Index - r.Before.Index:#,0} B, " +
                $"{CheckpointFile} {r.After.Checkpoint - r.Before.Checkpoint:+#,0;-#,0;0} B: {r.PerMessage:0.0} B/message (log {r.LogPerMessage:0.0}, index {r.IndexPerMessage:0.0}, " +
                $"checkpoint {r.CheckpointPerMessage:0.0}); whole data folder {r.FolderPerMessage:0.0} B/message; set-up {setupSeconds:0.0} s, send {sendSeconds:0.0} s; load average {load}"))
            .Add("mode", "room-disk")
            .Add("case", r.Case)
            .Add("members", r.Members)
            .Add("messages", r.Messages)
            .Add("messageBytes", options.MessageSize)
            .Add("window", options.Window)
            .Add("logBytesBefore", r.Before.Log)
            .Add("logBytesAfter", r.After.Log)
            .Add("indexBytesBefore", r.Before.Index)
            .Add("indexBytesAfter", r.After.Index)
            .Add("checkpointBytesBefore", r.Before.Checkpoint)
            .Add("checkpointBytesAfter", r.After.Checkpoint)
            .Add("folderBytesBefore", r.Before.Folder)
            .Add("folderBytesAfter", r.After.Folder)
            .Add("bytesPerMessage", r.PerMessage)
            .Add("folderBytesPerMessage", r.FolderPerMessage)
            .Add("setupSeconds", setupSeconds)
            .Add("sendSeconds", sendSeconds)
            .Add("loadAverage", load)
            .Print(options);

    private readonly record struct FolderSizes(long Log, long Index, long Checkpoint, long Folder);

    private readonly record struct DiskResult(string Case, int Members, int Messages, FolderSizes Before, FolderSizes After)
    {
        public double LogPerMessage => FanOutFigures.BytesPerMessage(Before.Log, After.Log, Messages);
        public double IndexPerMessage => FanOutFigures.BytesPerMessage(Before.Index, After.Index, Messages);
        public double CheckpointPerMessage => FanOutFigures.BytesPerMessage(Before.Checkpoint, After.Checkpoint, Messages);
        public double PerMessage => LogPerMessage + IndexPerMessage + CheckpointPerMessage;
        public double FolderPerMessage => FanOutFigures.BytesPerMessage(Before.Folder, After.Folder, Messages);
    }
}

using System.Collections.Concurrent;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Integration;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.EndToEnd;

/// <summary>kill -9 in the middle of a burst into a 20-member room from 3 senders (AOT appliance under ./test.sh).</summary>
public class RoomCrashTests
{
    private const int Members = 20;
    private const int Senders = 3;
    private const int PerSender = 1500;
    private const int Window = 32;

    private sealed record Outgoing(int Sender, byte[] Id, string Text);

    private static async Task<OcConnection> SessionAsync(ApplianceProcess appliance, uint number)
    {
        var connection = await appliance.ConnectAsync();
        await TestUsers.LoginAsync(connection, number, "pw");
        return connection;
    }

    /// <summary>SYNC from <paramref name="after"/> until more = 0: the room's entries (kind, seq, id) in the order they came.</summary>
    private static async Task<List<RoomMessage>> RoomEntriesAsync(OcConnection connection, uint room, ulong after)
    {
        var entries = new List<RoomMessage>();
        while (true)
        {
            var synced = await OcMessages.SyncPageAsync(connection, after, peek: true);
            while (connection.Events.TryRead(out var frame))
            {
                if (frame.Type == FrameType.RoomMessage && RoomMessage.TryRead(frame.Payload, out var m) && m.RoomId == room) entries.Add(m);
            }
            after = synced.LastSeq;
            if (!synced.More) return entries;
        }
    }

    [Fact]
    public async Task Every_acknowledged_room_message_survives_kill_9_once_in_one_order_for_every_member_and_cursors_resume_without_gap()
    {
        var data = TempDirectory.Create("oc-roomcrash");
        try
        {
            var outgoing = Enumerable.Range(0, Senders)
                .Select(s => Enumerable.Range(0, PerSender).Select(n => new Outgoing(s, Guid.NewGuid().ToByteArray(), $"s{s} n{n}")).ToArray())
                .ToArray();
            var acked = new ConcurrentDictionary<Guid, ulong>();
            var numbers = new uint[Members];
            uint room;
            var live = new List<RoomMessage>();

            using (var appliance = new ApplianceProcess(data, "--no-rate-limits"))
            {
                // Members 0..2 send; member 3 is live through the burst (a device with a cursor); the rest are offline.
                await using (var owner = await appliance.ConnectAsync())
                {
                    numbers[0] = await TestUsers.RegisterAsync(owner, "owner", "pw");
                    await TestUsers.LoginAsync(owner, numbers[0], "pw");
                    room = (await OcRooms.CreateAsync(owner, "burst", open: true)).RoomId;
                }
                for (int m = 1; m < Members; m++)
                {
                    await using var connection = await appliance.ConnectAsync();
                    numbers[m] = await TestUsers.RegisterAsync(connection, $"member{m}", "pw");
                    await TestUsers.LoginAsync(connection, numbers[m], "pw");
                    await OcRooms.JoinAsync(connection, room);
                }
                var connections = new OcConnection[Senders];
                for (int s = 0; s < Senders; s++) connections[s] = await SessionAsync(appliance, numbers[s]);
                var watcher = await SessionAsync(appliance, numbers[3]);
                await GoLiveAsync(watcher);
                var watching = Task.Run(async () =>
                {
                    try
                    {
                        while (true)
                        {
                            var frame = await watcher.Events.ReadAsync();
                            if (frame.Type == FrameType.RoomMessage && RoomMessage.TryRead(frame.Payload, out var m)) live.Add(m);
                        }
                    }
                    catch (Exception e) when (e is OcConnectionException or System.Threading.Channels.ChannelClosedException or OperationCanceledException)
                    {
                        // The kill ends the watcher's connection: what it got is its device's state.
                    }
                });

                var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var bursts = Enumerable.Range(0, Senders).Select(s => AckedBurst.RunAsync(connections[s],
                    outgoing[s].Select(m => (m.Id, (RequestWriter)((b, id) => RoomSend.Write(b, id, new RoomSend(room, m.Id, m.Text))))),
                    Window, acked, () => { if (acked.Count >= Senders * PerSender / 2) halfway.TrySetResult(); })).ToArray();

                await halfway.Task.WaitAsync(TimeSpan.FromSeconds(120));
                appliance.KillHard();
                await Task.WhenAll(bursts).WaitAsync(TimeSpan.FromSeconds(30));
                foreach (var c in connections) await c.DisposeAsync();
                await watcher.DisposeAsync();
                await watching.WaitAsync(TimeSpan.FromSeconds(30));
            }
            Assert.True(acked.Count < Senders * PerSender, "the whole burst was acknowledged before the kill; the test proves nothing");

            using var restarted = new ApplianceProcess(data, "--no-rate-limits");
            restarted.WaitForLog("messages.open", TimeSpan.FromSeconds(60));

            // 1. Every member: every acknowledged message once, with its seq; and one order for all.
            List<ulong>? order = null;
            for (int m = 0; m < Members; m++)
            {
                await using var check = await SessionAsync(restarted, numbers[m]);
                var texts = (await RoomEntriesAsync(check, room, 0)).Where(e => e.Kind == RoomMessageKind.Text).ToList();
                var byId = texts.GroupBy(e => new Guid(e.MessageId)).ToDictionary(g => g.Key, g => Assert.Single(g).Seq);
                foreach (var (id, seq) in acked) Assert.Equal(seq, byId[id]);
                var seqs = texts.Select(e => e.Seq).ToList();
                Assert.Equal(seqs.Order(), seqs);
                order ??= seqs;
                Assert.Equal(order, seqs);
            }
            // Each sender's acknowledged messages in the order they were sent.
            for (int s = 0; s < Senders; s++)
            {
                var seqs = outgoing[s].Where(m => acked.ContainsKey(new Guid(m.Id))).Select(m => acked[new Guid(m.Id)]).ToList();
                Assert.Equal(seqs.Order(), seqs);
            }

            // 2. The live device resumes from the highest seq it was shown: no gap, nothing twice.
            Assert.NotEmpty(live);
            ulong cursor = live.Max(e => e.Seq);
            await using (var device = await SessionAsync(restarted, numbers[3]))
            {
                var resumed = await RoomEntriesAsync(device, room, cursor);
                await using var whole = await SessionAsync(restarted, numbers[3]);
                var all = await RoomEntriesAsync(whole, room, 0);
                var seen = live.Select(e => e.Seq).Concat(resumed.Select(e => e.Seq)).ToList();
                Assert.Equal(seen.Count, seen.Distinct().Count());
                Assert.Equal(all.Where(e => e.Seq > live.Min(l => l.Seq)).Select(e => e.Seq), seen.Order().Where(s => s > live.Min(l => l.Seq)));
            }

            // 3. The senders send again what has no SENT (and their last acknowledged window): nothing twice.
            for (int s = 0; s < Senders; s++)
            {
                await using var again = await SessionAsync(restarted, numbers[s]);
                var lastAcked = outgoing[s].Where(m => acked.ContainsKey(new Guid(m.Id))).TakeLast(Window);
                var pending = outgoing[s].Where(m => !acked.ContainsKey(new Guid(m.Id)));
                foreach (var m in lastAcked.Concat(pending))
                {
                    var sent = await OcRoomMessages.SendAsync(again, room, m.Text, m.Id);
                    if (acked.TryGetValue(new Guid(m.Id), out ulong seq)) Assert.Equal(seq, sent.Seq);
                }
            }
            await using var last = await SessionAsync(restarted, numbers[Members - 1]);
            var final = (await RoomEntriesAsync(last, room, 0)).Where(e => e.Kind == RoomMessageKind.Text).ToList();
            Assert.Equal(Senders * PerSender, final.Count);
            Assert.Equal(Senders * PerSender, final.Select(e => new Guid(e.MessageId)).Distinct().Count());
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}

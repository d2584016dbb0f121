using System.Collections.Concurrent;
using OC.Protocol.Client;
using OC.Protocol.Messages;
using OC.Tests.Integration;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.EndToEnd;

/// <summary>kill -9 in the middle of a burst of messages (AOT appliance under ./test.sh).</summary>
public class MessageCrashTests
{
    private const int Senders = 4;
    private const int PerSender = 2500;
    private const int Window = 32;

    private sealed record Outgoing(int Sender, int N, byte[] Id, string Text);

    /// <summary>Registers the receiver and the senders (into <paramref name="senderNumbers"/>), friends of the receiver; returns the receiver.</summary>
    private static async Task<uint> RegisterAllAsync(ApplianceProcess appliance, uint[] senderNumbers)
    {
        await using var rc = await appliance.ConnectAsync();
        uint receiver = await TestUsers.RegisterAsync(rc, "receiver", "pw");
        await TestUsers.LoginAsync(rc, receiver, "pw");
        for (int s = 0; s < senderNumbers.Length; s++)
        {
            await using var connection = await appliance.ConnectAsync();
            senderNumbers[s] = await TestUsers.RegisterAsync(connection, $"sender{s}", "pw");
            await TestUsers.LoginAsync(connection, senderNumbers[s], "pw");
            await BefriendAsync(connection, receiver, rc);
        }
        return receiver;
    }

    private static async Task<OcConnection> SessionAsync(ApplianceProcess appliance, uint number)
    {
        var connection = await appliance.ConnectAsync();
        await TestUsers.LoginAsync(connection, number, "pw");
        return connection;
    }

    [Fact]
    public Task Every_acknowledged_message_survives_kill_9_once_and_in_order_and_resends_store_nothing_twice() =>
        BurstKillAndCheckAsync(stopCleanlyFirst: false);

    /// <summary>
    /// The same after a clean stop part of the way (which checkpoints the message index): the
    /// restart after kill -9 takes the checkpoint and replays only the log after it.
    /// </summary>
    [Fact]
    public Task After_a_checkpoint_kill_9_mid_burst_replays_only_the_logs_tail_and_loses_nothing() =>
        BurstKillAndCheckAsync(stopCleanlyFirst: true);

    private static async Task BurstKillAndCheckAsync(bool stopCleanlyFirst)
    {
        var data = TempDirectory.Create("oc-msgcrash");
        try
        {
            var outgoing = Enumerable.Range(0, Senders)
                .Select(s => Enumerable.Range(0, PerSender).Select(n => new Outgoing(s, n, Guid.NewGuid().ToByteArray(), $"s{s} n{n}")).ToArray())
                .ToArray();
            var acked = new ConcurrentDictionary<Guid, ulong>();
            uint receiver = 0;
            var senderNumbers = new uint[Senders];

            int first = 0;
            if (stopCleanlyFirst)
            {
                // A quarter of every sender's messages, acknowledged, then SIGTERM: the index is checkpointed.
                first = PerSender / 4;
                using var earlier = new ApplianceProcess(data, "--no-rate-limits");
                receiver = await RegisterAllAsync(earlier, senderNumbers);
                for (int s = 0; s < Senders; s++)
                {
                    await using var connection = await SessionAsync(earlier, senderNumbers[s]);
                    foreach (var m in outgoing[s].Take(first)) acked[new Guid(m.Id)] = (await SendAsync(connection, receiver, m.Text, m.Id)).Seq;
                }
                Assert.Equal(0, earlier.Terminate(TimeSpan.FromSeconds(60)));
                Assert.True(File.Exists(Path.Combine(data, "messages.index.checkpoint")));
            }

            // Thousands of messages per sender as fast as they go: no rate limits (the subject is durability).
            using (var appliance = new ApplianceProcess(data, "--no-rate-limits"))
            {
                if (!stopCleanlyFirst) receiver = await RegisterAllAsync(appliance, senderNumbers);
                var connections = new OcConnection[Senders];
                for (int s = 0; s < Senders; s++) connections[s] = await SessionAsync(appliance, senderNumbers[s]);

                var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var bursts = Enumerable.Range(0, Senders).Select(s => AckedBurst.RunAsync(connections[s],
                    outgoing[s].Skip(first).Select(m => (m.Id, (RequestWriter)((b, id) => SendMessage.Write(b, id, new SendMessage(receiver, m.Id, m.Text))))),
                    Window, acked, () => { if (acked.Count >= Senders * PerSender / 2) halfway.TrySetResult(); })).ToArray();

                await halfway.Task.WaitAsync(TimeSpan.FromSeconds(120));
                appliance.KillHard();
                await Task.WhenAll(bursts).WaitAsync(TimeSpan.FromSeconds(30));
                foreach (var c in connections) await c.DisposeAsync();
            }
            Assert.True(acked.Count >= Senders * PerSender / 2);
            Assert.True(acked.Count < Senders * PerSender, "the whole burst was acknowledged before the kill; the test proves nothing");

            using var restarted = new ApplianceProcess(data, "--no-rate-limits");
            string opened = restarted.WaitForLog("messages.open", TimeSpan.FromSeconds(60));
            Assert.DoesNotContain("messages.index_rebuild", restarted.Log, StringComparison.Ordinal);
            // With a checkpoint, only the log after it is read; without, all of it (not a warning: a kill before the first checkpoint).
            Assert.Equal(!stopCleanlyFirst, restarted.Log.Contains("messages.index_build", StringComparison.Ordinal));
            Assert.Contains("bytes of log replayed", opened, StringComparison.Ordinal);

            // 1. Every acknowledged message is there once, with the seq it was acknowledged with,
            //    and each sender's acknowledged messages are in the order they were sent.
            await using (var check = await SessionAsync(restarted, receiver))
            {
                var stored = await SyncAsync(check, 0);
                var byId = stored.GroupBy(m => new Guid(m.MessageId)).ToDictionary(g => g.Key, g => g.ToList());
                Assert.All(byId.Values, copies => Assert.Single(copies));
                foreach (var (id, seq) in acked) Assert.Equal(seq, Assert.Single(byId[id]).Seq);
                for (int s = 0; s < Senders; s++)
                {
                    var seqs = outgoing[s].Where(m => acked.ContainsKey(new Guid(m.Id))).Select(m => acked[new Guid(m.Id)]).ToList();
                    Assert.Equal(seqs.Order(), seqs);
                }

                // 1b. And reachable by HISTORY: each conversation paged from the newest to the oldest.
                for (int s = 0; s < Senders; s++)
                {
                    var history = new List<ChatMessage>();
                    ulong before = 0;
                    while (true)
                    {
                        var (more, page) = await HistoryAsync(check, senderNumbers[s], before, 500);
                        history.InsertRange(0, page);
                        if (!more) break;
                        before = page[0].Seq;
                    }
                    Assert.Equal(history.Select(m => m.Seq).Order(), history.Select(m => m.Seq));
                    var inHistory = history.GroupBy(m => new Guid(m.MessageId)).ToDictionary(g => g.Key, g => Assert.Single(g).Seq);
                    foreach (var m in outgoing[s].Where(m => acked.ContainsKey(new Guid(m.Id))))
                        Assert.Equal(acked[new Guid(m.Id)], inHistory[new Guid(m.Id)]);
                }
            }

            // 2. The senders reconnect and send again everything they have no SENT for (the ones in
            //    flight at the kill included, whether or not they were stored), plus their last
            //    acknowledged window once more: nothing is stored twice.
            for (int s = 0; s < Senders; s++)
            {
                await using var again = await SessionAsync(restarted, senderNumbers[s]);
                var lastAcked = outgoing[s].Where(m => acked.ContainsKey(new Guid(m.Id))).TakeLast(Window);
                var pending = outgoing[s].Where(m => !acked.ContainsKey(new Guid(m.Id)));
                foreach (var m in lastAcked.Concat(pending))
                {
                    var sent = await SendAsync(again, receiver, m.Text, m.Id);
                    if (acked.TryGetValue(new Guid(m.Id), out ulong seq)) Assert.Equal(seq, sent.Seq);
                }
            }
            await using var final = await SessionAsync(restarted, receiver);
            var all = await SyncAsync(final, 0);
            Assert.Equal(Senders * PerSender, all.Count);
            Assert.Equal(Senders * PerSender, all.Select(m => new Guid(m.MessageId)).Distinct().Count());
            Assert.Equal(all.Select(m => m.Seq).Order(), all.Select(m => m.Seq));
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}

using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Appliance.Storage.Messages;
using OC.Tests.Integration;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Storage;

/// <summary>
/// The appliance restarted on its message index (messages.index and its checkpoint, beside
/// messages.log): HISTORY and SYNC page through it, a resend is still recognised, and a page of
/// the index zeroed while it was stopped is noticed, logged and rebuilt from the log, never
/// answered from.
/// </summary>
public sealed class MessageIndexApplianceTests
{
    private const int Messages = 1500;

    [Fact]
    public async Task After_a_restart_history_sync_and_resends_use_the_index_and_a_zeroed_page_is_rebuilt_from_the_log()
    {
        var data = OC.Tests.Integration.TempDirectory.Create("oc-msgindex");
        try
        {
            uint alice, bob, carol;
            var sent = new List<(ulong Seq, uint From, uint To, byte[] Id)>();
            using (var first = new TestAppliance(dataDirectory: data, configure: o => o with { RateLimits = RateLimitSettings.Off }))
            {
                var (a, aConn) = await NewUserAsync(first, "alice");
                var (b, bConn) = await NewUserAsync(first, "bob");
                var (c, cConn) = await NewUserAsync(first, "carol");
                (alice, bob, carol) = (a, b, c);
                await using var _a = aConn;
                await using var _b = bConn;
                await using var _c = cConn;
                await BefriendAsync(aConn, bob, bConn);
                await BefriendAsync(aConn, carol, cConn);
                // Alice writes to both in turns, bob answers: lists of many blocks each, sent in windows of 50.
                for (int start = 0; start < Messages; start += 50)
                {
                    var window = Enumerable.Range(start, 50).Select(i =>
                    {
                        var (from, conn, to) = (i % 3) switch { 0 => (alice, aConn, bob), 1 => (alice, aConn, carol), _ => (bob, bConn, alice) };
                        var id = Guid.NewGuid().ToByteArray();
                        return (from, to, id, reply: SendAsync(conn, to, $"m{i}", id));
                    }).ToList();
                    foreach (var (from, to, id, reply) in window) sent.Add(((await reply).Seq, from, to, id));
                }
                // Two connections send at once: seqs follow the appliance's order, not the list's.
                sent.Sort((x, y) => x.Seq.CompareTo(y.Seq));
            }
            // A clean stop checkpointed the index.
            Assert.True(File.Exists(Path.Combine(data, MessageIndex.CheckpointFileName)));
            string index = Path.Combine(data, MessageIndex.FileName);
            Assert.True(new FileInfo(index).Length > 2 * 4096);
            using (var file = new FileStream(index, FileMode.Open, FileAccess.Write))
            {
                file.Position = 4096;
                file.Write(new byte[4096]);
            }

            var since = DateTime.UtcNow;
            using var second = new TestAppliance(dataDirectory: data, configure: o => o with { RateLimits = RateLimitSettings.Off });
            await using var aliceAgain = await SessionAsync(second, alice);

            // HISTORY with bob, newest to oldest in pages of 100: every message once, in order.
            var history = new List<ulong>();
            ulong before = 0;
            while (true)
            {
                var (more, page) = await HistoryAsync(aliceAgain, bob, before, 100);
                history.InsertRange(0, page.Select(m => m.Seq));
                if (!more) break;
                before = page[0].Seq;
            }
            Assert.Equal(sent.Where(m => m.From == bob || m.To == bob).Select(m => m.Seq), history);

            // SYNC of everything each of them sent or received (between them, every block of the index).
            Assert.Equal(sent.Select(m => m.Seq), (await SyncAsync(aliceAgain, 0)).Select(m => m.Seq));
            foreach (uint user in new[] { bob, carol })
            {
                await using var session = await SessionAsync(second, user);
                Assert.Equal(sent.Where(m => m.From == user || m.To == user).Select(m => m.Seq), (await SyncAsync(session, 0)).Select(m => m.Seq));
            }

            // The zeroed page was noticed and the index rebuilt, with a warning that names the file.
            Assert.Contains(Log.Recent.Snapshot(), e => e.Event == "messages.index_rebuild" && e.TimeUtc >= since && e.Text.Contains(data, StringComparison.Ordinal));

            // A resend of an old message of alice's is answered with the stored seq, not stored again.
            var old = sent.First(m => m.From == alice);
            var resent = await SendAsync(aliceAgain, old.To, "again", old.Id);
            Assert.Equal(old.Seq, resent.Seq);
            Assert.Equal(sent.Count, (await SyncAsync(aliceAgain, 0)).Count);
        }
        finally
        {
            OC.Tests.Integration.TempDirectory.Delete(data);
        }
    }
}

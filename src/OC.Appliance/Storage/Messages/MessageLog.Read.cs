using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Storage.Messages;

internal sealed partial class MessageLog
{
    public const int SyncPageMessages = 1000;
    public const int SyncPageBytes = 256 * 1024;

    /// <summary>
    /// Writes MESSAGE events for the user's messages after <paramref name="afterSeq"/> into
    /// <paramref name="output"/>, up to a page (docs/protocol.md, "SYNC"). Returns the last seq
    /// written and whether more remain; <paramref name="received"/> gets (seq, sender) of each
    /// message the user received, for DELIVERED receipts.
    /// </summary>
    public (ulong LastSeq, bool More) WriteSyncPage(int user, ulong afterSeq, ByteBuffer output, List<(ulong Seq, int From)> received)
    {
        var entries = _index.ForUserAfter(user, afterSeq);
        ulong last = afterSeq;
        int count = 0;
        foreach (var entry in entries)
        {
            if (count == SyncPageMessages || output.Length >= SyncPageBytes) return (last, true);
            var r = ReadAt(entry.Offset);
            ChatMessage.Write(output, r.Seq, r.TimeMs, (uint)r.From, (uint)r.To, r.Id, r.Text);
            if (r.To == user && r.From != user) received.Add((r.Seq, r.From));
            last = r.Seq;
            count++;
        }
        return (last, false);
    }

    /// <summary>Writes one HISTORY_PAGE frame (docs/protocol.md, "HISTORY") into <paramref name="output"/>.</summary>
    public void WriteHistoryPage(int user, int peer, ulong beforeSeq, int limit, uint requestId, ByteBuffer output)
    {
        var entries = _index.ConversationBefore(user, peer, beforeSeq);
        int take = Math.Min(limit, entries.Length);
        var page = entries[^take..];
        var w = HistoryPage.Begin(output, requestId, more: entries.Length > take, take);
        foreach (var entry in page)
        {
            var r = ReadAt(entry.Offset);
            HistoryPage.WriteEntry(ref w, r.Seq, r.TimeMs, (uint)r.From, (uint)r.To, r.Id, r.Text);
        }
        w.End();
    }
}

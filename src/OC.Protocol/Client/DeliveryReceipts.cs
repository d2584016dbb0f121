using System.Diagnostics.CodeAnalysis;

namespace OC.Protocol.Client;

/// <summary>
/// Matches DELIVERED events to the messages this client sent, whichever of the two it reads first.
/// </summary>
/// <remarks>
/// When the recipient is live the appliance writes SENT and DELIVERED back to back: the event
/// reader may see DELIVERED before the sender has the seq from SENT (its continuation runs on
/// another thread). So a receipt for a seq nobody waits for is kept, and <see cref="Sent"/> finds
/// it. Receipts nobody claims (messages sent by your other sessions) and messages never delivered
/// (the recipient stays away) are kept up to a bound each, the oldest dropped first. Thread-safe.
/// </remarks>
/// <typeparam name="TTag">What the client wants back with the receipt (the recipient, say).</typeparam>
public sealed class DeliveryReceipts<TTag>
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly Dictionary<ulong, TTag> _waiting = [];
    private readonly Queue<ulong> _waitingOrder = new();
    private readonly HashSet<ulong> _early = [];
    private readonly Queue<ulong> _earlyOrder = new();

    /// <param name="capacity">How many unmatched sends, and separately unmatched receipts, are kept.</param>
    public DeliveryReceipts(int capacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>
    /// SENT came back with <paramref name="seq"/>. True when its DELIVERED was read already: the
    /// message is delivered and nothing is kept. Otherwise <paramref name="tag"/> waits for the receipt.
    /// </summary>
    public bool Sent(ulong seq, TTag tag)
    {
        lock (_gate)
        {
            if (_early.Remove(seq)) return true;
            if (!_waiting.TryAdd(seq, tag)) return false;
            _waitingOrder.Enqueue(seq);
            while (_waiting.Count > _capacity) _waiting.Remove(_waitingOrder.Dequeue());
            Trim(_waitingOrder, _waiting.Count, _waiting.ContainsKey);
            return false;
        }
    }

    /// <summary>
    /// DELIVERED for <paramref name="seq"/> was read. True, with the tag given to <see cref="Sent"/>,
    /// for a message sent here; otherwise false, and the receipt is kept for a SENT still on its way.
    /// </summary>
    public bool TryDelivered(ulong seq, [MaybeNullWhen(false)] out TTag tag)
    {
        lock (_gate)
        {
            if (_waiting.Remove(seq, out tag)) return true;
            if (_early.Add(seq))
            {
                _earlyOrder.Enqueue(seq);
                while (_early.Count > _capacity) _early.Remove(_earlyOrder.Dequeue());
                Trim(_earlyOrder, _early.Count, _early.Contains);
            }

            return false;
        }
    }

    // The order queues also hold seqs already matched (removed from the set): drop those from the
    // front, so a queue never grows far beyond its set.
    private void Trim(Queue<ulong> order, int live, Func<ulong, bool> kept)
    {
        if (order.Count <= 2 * _capacity || order.Count <= 2 * live) return;
        var keep = order.Where(kept).ToList();
        order.Clear();
        foreach (var s in keep) order.Enqueue(s);
    }
}

using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Unit;

/// <summary>
/// DELIVERED matched to SENT whichever the client handles first (the appliance writes them back to
/// back when the recipient is live), and SYNC's optional peek flag on the wire.
/// </summary>
public sealed class DeliveryReceiptsTests
{
    [Fact]
    public void A_receipt_read_after_SENT_finds_the_message()
    {
        var receipts = new DeliveryReceipts<string>();
        Assert.False(receipts.Sent(7, "bob"));
        Assert.True(receipts.TryDelivered(7, out var to));
        Assert.Equal("bob", to);
        Assert.False(receipts.TryDelivered(7, out _)); // once
    }

    [Fact]
    public void A_receipt_read_before_SENT_is_kept_until_SENT_claims_it()
    {
        var receipts = new DeliveryReceipts<string>();
        Assert.False(receipts.TryDelivered(8, out _));
        Assert.True(receipts.Sent(8, "bob"));
        // Claimed: a later SENT of another message does not find it, nor does a repeated receipt the message.
        Assert.False(receipts.Sent(9, "carol"));
        Assert.True(receipts.TryDelivered(9, out var to));
        Assert.Equal("carol", to);
    }

    [Fact]
    public void Unclaimed_receipts_and_undelivered_messages_are_bounded_oldest_first()
    {
        var receipts = new DeliveryReceipts<int>(capacity: 4);
        for (ulong seq = 1; seq <= 100; seq++) receipts.TryDelivered(seq, out _); // another session's messages
        Assert.False(receipts.Sent(1, 1)); // long dropped
        Assert.True(receipts.Sent(100, 100));

        for (ulong seq = 200; seq < 300; seq++) receipts.Sent(seq, (int)seq); // never delivered
        Assert.False(receipts.TryDelivered(200, out _));
        Assert.True(receipts.TryDelivered(299, out int last));
        Assert.Equal(299, last);
    }

    [Fact]
    public void SYNC_is_eight_bytes_without_flags_and_one_more_with_peek()
    {
        var buffer = new ByteBuffer();
        SyncRequest.Write(buffer, 1, new SyncRequest(42));
        Assert.Equal(Frame.HeaderSize + 8, buffer.Length);
        Assert.True(SeqNumber.TryRead(buffer.Span[Frame.HeaderSize..], out ulong plain));
        Assert.Equal(42ul, plain);

        buffer.Consume(buffer.Length);
        SyncRequest.Write(buffer, 1, new SyncRequest(42, Peek: true));
        Assert.True(SyncRequest.TryRead(buffer.Span[Frame.HeaderSize..], out var peek));
        Assert.Equal(new SyncRequest(42, true), peek);

        Assert.False(SyncRequest.TryRead([0, 0, 0, 0, 0, 0, 0, 42, 0x02], out _)); // an unknown flag
        Assert.False(SyncRequest.TryRead([0, 0, 0, 0, 0, 0, 0, 42, 0x01, 0], out _)); // a byte too many
    }
}

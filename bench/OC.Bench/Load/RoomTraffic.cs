using System.Buffers.Binary;
using System.Diagnostics;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load;

/// <summary>
/// The measured part of `room`: the sender is <see cref="ChatTraffic.SendAsync(LoadConnection, StampedMessageWriter, int, MeasuredRun, SenderStats, CancellationToken)"/>
/// with ROOM_SEND frames (the message id carries the counter and the send time, as in chat); each
/// other member reads ROOM_MESSAGE events, counts its deliveries and, through a shared
/// <see cref="LastReceiptTracker"/>, the one receipt per message that is the last member's.
/// </summary>
internal static class RoomTraffic
{
    // ROOM_MESSAGE payload: u64 seq, i64 time, u32 roomId, u32 from, u8 kind, u32 subject, then
    // the id as `bytes` (u16 count + 16) (docs/protocol.md, "Frame types").
    private const int KindOffset = 24;
    private const int MessageIdCountOffset = 29;
    private const int MessageIdOffset = 31;

    /// <summary>ROOM_SEND: u32 roomId, bytes messageId (16), string text; the id stamped as <see cref="ChatTraffic.WriteSend"/> does.</summary>
    public static void WriteRoomSend(ByteBuffer output, uint requestId, uint roomId, ulong counter, long now, ReadOnlySpan<byte> text)
    {
        Span<byte> id = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(id, counter);
        BinaryPrimitives.WriteInt64LittleEndian(id[8..], now);
        var w = FrameWriter.Begin(output, FrameType.RoomSend, requestId);
        w.WriteU32(roomId);
        w.WriteBytes(id);
        w.WriteBytes(text);
        w.End();
    }

    /// <summary>Reads ROOM_MESSAGE events until the sender's flagged last message arrives.</summary>
    public static async Task ReceiveAsync(LoadConnection connection, MeasuredRun run, LastReceiptTracker last, FanOutStats stats, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false))
                throw new IOException("the appliance closed a member's connection");
            if (OnMessages(connection, Stopwatch.GetTimestamp(), run, last, stats)) return;
        }
    }

    // Synchronous so the payload spans never live across an await.
    private static bool OnMessages(LoadConnection connection, long now, MeasuredRun run, LastReceiptTracker last, FanOutStats stats)
    {
        bool measured = now >= run.StartTicks && now < run.EndTicks;
        bool done = false;
        while (connection.TryTakeFrame(out var header, out var payload))
        {
            if (header.Type == FrameType.RoomMessage && payload.Length > MessageIdOffset && payload[KindOffset] == (byte)RoomMessageKind.Text)
            {
                if (payload.Length < MessageIdOffset + 16 || BinaryPrimitives.ReadUInt16BigEndian(payload[MessageIdCountOffset..]) != 16)
                    throw new IOException("malformed ROOM_MESSAGE");
                ulong counter = BinaryPrimitives.ReadUInt64BigEndian(payload[MessageIdOffset..]);
                long sentAt = BinaryPrimitives.ReadInt64LittleEndian(payload[(MessageIdOffset + 8)..]);
                stats.DeliveredTotal++;
                if (measured) stats.Delivered++;
                if (last.OnReceipt(counter & ~ChatTraffic.LastMessageFlag) && measured) stats.LastReceipt.Add(now - sentAt);
                done |= (counter & ChatTraffic.LastMessageFlag) != 0;
            }
            else if (header.Type == FrameType.Error)
            {
                ErrorReply.TryRead(payload, out var error);
                throw new IOException($"a member got ERROR {error.Code}: {error.Message}");
            }
            // Anything else (PRESENCE, ROOM_EVENT, membership entries) is not part of the measure.
            connection.Consume(header);
        }
        return done;
    }
}

/// <summary>One receiver's counts in a fan-out run (the appliance's room or Redis's channel); read after the run.</summary>
internal sealed class FanOutStats
{
    /// <summary>Messages received inside the measured window.</summary>
    public long Delivered { get; set; }
    public long DeliveredTotal { get; set; }

    /// <summary>Send → receipt, for the messages whose last receipt was this receiver's, inside the window.</summary>
    public LatencyLog LastReceipt { get; } = new();
}

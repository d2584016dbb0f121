using System.Buffers.Binary;
using System.Diagnostics;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load;

/// <summary>
/// The measured part of a chat pair: the sender keeps a window of SEND requests in flight (a new
/// one for each SENT), the receiver reads MESSAGE events. Nothing is allocated per message: the
/// SEND frames are written straight into the connection's reused buffer and the replies are read
/// as spans (see <see cref="LoadConnection"/>).
/// </summary>
/// <remarks>
/// The 16-byte message id carries what the receiver needs to measure: bytes 0..8 a per-sender
/// counter (big-endian; unique, so no SEND is taken for a resend), with the top bit set on the
/// sender's last message, and bytes 8..16 the sender's <see cref="Stopwatch"/> timestamp when the
/// SEND was written. Sender and receiver share this process's clock, so end-to-end latency is one
/// subtraction. The text is a constant filler of the requested size.
/// </remarks>
internal static class ChatTraffic
{
    // MESSAGE payload: u64 seq, i64 time, u32 from, u32 to, then the id as `bytes` (u16 count + 16).
    private const int MessageIdCountOffset = 24;
    private const int MessageIdOffset = 26;
    public const ulong LastMessageFlag = 1UL << 63;

    /// <summary>Keeps <paramref name="window"/> SENDs in flight until the run ends, then sends one last message (flagged) and waits for every SENT.</summary>
    public static Task SendAsync(LoadConnection connection, uint to, ReadOnlyMemory<byte> text, int window, MeasuredRun run, SenderStats stats, CancellationToken cancellationToken) =>
        SendAsync(connection, (output, requestId, counter, now) => WriteSend(output, requestId, to, counter, now, text.Span), window, run, stats, cancellationToken);

    /// <summary>
    /// The same window for any request answered by SENT (SEND, ROOM_SEND): <paramref name="write"/>
    /// writes one message that carries the counter and send time (see the remarks above).
    /// </summary>
    public static async Task SendAsync(LoadConnection connection, StampedMessageWriter write, int window, MeasuredRun run, SenderStats stats, CancellationToken cancellationToken)
    {
        var state = new SenderState(write, window);
        long now = Stopwatch.GetTimestamp();
        for (int slot = 0; slot < window; slot++) state.Send(connection.Output, slot, now, last: false);
        stats.SentTotal += window;
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);

        int outstanding = window;
        while (outstanding > 0)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false))
                throw new IOException("the appliance closed the sender's connection");
            outstanding -= OnSenderReplies(connection, state, Stopwatch.GetTimestamp(), run, stats);
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Synchronous so the payload spans never live across an await. Returns the slots that finished for good.
    private static int OnSenderReplies(LoadConnection connection, SenderState state, long now, MeasuredRun run, SenderStats stats)
    {
        int finished = 0;
        bool measured = now >= run.StartTicks && now < run.EndTicks;
        bool stopping = now >= run.EndTicks;
        while (connection.TryTakeFrame(out var header, out var payload))
        {
            if (header.RequestId == Frame.NoRequest)
            {
                // Events (PRESENCE, FRIEND_ADDED) are not part of the measure; an ERROR with id 0 is the end.
                if (header.Type == FrameType.Error)
                {
                    ErrorReply.TryRead(payload, out var fatal);
                    throw new IOException($"the appliance closed the sender: {fatal.Code} {fatal.Message}");
                }
                connection.Consume(header);
                continue;
            }
            int slot = (int)(header.RequestId & 0xFFFF) - 1;
            if (slot < 0 || slot >= state.Window) throw new IOException($"the appliance sent {header.Type} for unknown request {header.RequestId}");
            if (header.Type == FrameType.Sent)
            {
                stats.AckedTotal++;
                if (measured)
                {
                    stats.Acked++;
                    stats.AckLatencies.Add(now - state.SentAt[slot]);
                }
            }
            else
            {
                ErrorReply.TryRead(payload, out var error);
                stats.Errors++;
                stats.LastError = $"{header.Type} {error.Code}: {error.Message}";
            }
            connection.Consume(header);

            if (stopping && state.LastSent)
            {
                finished++;
                continue;
            }
            // The first slot free after the end carries the flagged last message: it has the
            // sender's highest seq, so it reaches the receiver after every other one.
            state.Send(connection.Output, slot, now, last: stopping);
            stats.SentTotal++;
        }
        return finished;
    }

    /// <summary>Reads MESSAGE events until the sender's flagged last message arrives.</summary>
    public static async Task ReceiveAsync(LoadConnection connection, MeasuredRun run, ReceiverStats stats, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false))
                throw new IOException("the appliance closed the receiver's connection");
            if (OnMessages(connection, Stopwatch.GetTimestamp(), run, stats)) return;
        }
    }

    private static bool OnMessages(LoadConnection connection, long now, MeasuredRun run, ReceiverStats stats)
    {
        bool measured = now >= run.StartTicks && now < run.EndTicks;
        bool done = false;
        while (connection.TryTakeFrame(out var header, out var payload))
        {
            if (header.Type == FrameType.Message)
            {
                ReadStamp(payload, out ulong counter, out long sentAt);
                stats.DeliveredTotal++;
                if (measured)
                {
                    stats.Delivered++;
                    stats.Latencies.Add(now - sentAt);
                }
                done |= (counter & LastMessageFlag) != 0;
            }
            else if (header.Type == FrameType.Error)
            {
                ErrorReply.TryRead(payload, out var error);
                throw new IOException($"the receiver got ERROR {error.Code}: {error.Message}");
            }
            // Anything else (PRESENCE, FRIEND_ADDED, DELIVERED) is not part of the measure.
            connection.Consume(header);
        }
        return done;
    }

    /// <summary>The counter and send time a MESSAGE's id carries (see the remarks above).</summary>
    public static void ReadStamp(ReadOnlySpan<byte> messagePayload, out ulong counter, out long sentAt)
    {
        if (messagePayload.Length < MessageIdOffset + 16 || BinaryPrimitives.ReadUInt16BigEndian(messagePayload[MessageIdCountOffset..]) != 16)
            throw new IOException("malformed MESSAGE");
        counter = BinaryPrimitives.ReadUInt64BigEndian(messagePayload[MessageIdOffset..]);
        sentAt = BinaryPrimitives.ReadInt64LittleEndian(messagePayload[(MessageIdOffset + 8)..]);
    }

    /// <summary>Writes one SEND whose message id carries <paramref name="counter"/> and <paramref name="now"/>.</summary>
    public static void WriteSend(ByteBuffer output, uint requestId, uint to, ulong counter, long now, ReadOnlySpan<byte> text)
    {
        Span<byte> id = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(id, counter);
        BinaryPrimitives.WriteInt64LittleEndian(id[8..], now);

        // SEND: u32 to, bytes messageId (16), string text (docs/protocol.md, "Messages").
        var w = FrameWriter.Begin(output, FrameType.Send, requestId);
        w.WriteU32(to);
        w.WriteBytes(id);
        w.WriteBytes(text);
        w.End();
    }

    /// <summary>One sender's window: per slot the send time and a generation (request id = generation &lt;&lt; 16 | slot + 1).</summary>
    private sealed class SenderState(StampedMessageWriter write, int window)
    {
        private readonly ushort[] _generation = new ushort[window];
        private ulong _counter;

        public int Window { get; } = window;
        public long[] SentAt { get; } = new long[window];
        public bool LastSent { get; private set; }

        public void Send(ByteBuffer output, int slot, long now, bool last)
        {
            uint requestId = ((uint)_generation[slot]++ << 16) | (uint)(slot + 1);
            write(output, requestId, ++_counter | (last ? LastMessageFlag : 0), now);
            SentAt[slot] = now;
            LastSent |= last;
        }
    }
}

/// <summary>Writes one message request whose 16-byte id carries <paramref name="counter"/> and <paramref name="now"/> (<see cref="ChatTraffic.WriteSend"/>).</summary>
internal delegate void StampedMessageWriter(ByteBuffer output, uint requestId, ulong counter, long now);

/// <summary>One sender's counts; read after the run (each is touched by one task at a time).</summary>
internal sealed class SenderStats
{
    /// <summary>SENT received inside the measured window.</summary>
    public long Acked { get; set; }
    public long AckedTotal { get; set; }
    public long SentTotal { get; set; }
    public long Errors { get; set; }
    public string? LastError { get; set; }

    /// <summary>SEND written → SENT received: the store, the group's fsync and both loop hops.</summary>
    public LatencyLog AckLatencies { get; } = new();
}

/// <summary>One receiver's counts.</summary>
internal sealed class ReceiverStats
{
    /// <summary>MESSAGE received inside the measured window.</summary>
    public long Delivered { get; set; }
    public long DeliveredTotal { get; set; }

    /// <summary>SEND written by the sender → MESSAGE received here.</summary>
    public LatencyLog Latencies { get; } = new();
}

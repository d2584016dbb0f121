using System.Diagnostics;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load.Soak;

/// <summary>
/// Chat at a steady rate, both ways: each user of each <see cref="ChatPair"/> (both live) sends
/// its friend one message per <c>interval</c> and reads the friend's. A message's id carries its
/// send time (<see cref="ChatTraffic.WriteSend"/>), so the receiver measures send → MESSAGE.
/// Unlike the `chat` mode this is not a window kept full: the rate is fixed, so the latency says
/// how the appliance serves a normal load while everything else goes on.
/// </summary>
internal static class SoakChat
{
    /// <param name="stopSending">Ends the sending; the reading goes on until <paramref name="stop"/>, so the messages in flight arrive.</param>
    public static Task RunAsync(IReadOnlyList<ChatPair> pairs, ReadOnlyMemory<byte> text, TimeSpan interval, SoakCounters counters, IntervalLatencies latencies,
        CancellationToken stopSending, CancellationToken stop)
    {
        var tasks = new List<Task>(4 * pairs.Count);
        var random = new Random(11);
        foreach (var pair in pairs)
        {
            foreach (var (connection, to) in (ReadOnlySpan<(LoadConnection, uint)>)[(pair.Sender, pair.ReceiverNumber), (pair.Receiver, pair.SenderNumber)])
            {
                // Spread over the interval, so the appliance sees a steady stream rather than bursts.
                var offset = TimeSpan.FromTicks((long)(random.NextDouble() * interval.Ticks));
                tasks.Add(Task.Run(() => ReadAsync(connection, counters, latencies, stop)));
                tasks.Add(Task.Run(() => SendAsync(connection, to, text, offset, interval, counters, stopSending)));
            }
        }
        return Task.WhenAll(tasks);
    }

    private static async Task SendAsync(LoadConnection connection, uint to, ReadOnlyMemory<byte> text, TimeSpan offset, TimeSpan interval, SoakCounters counters, CancellationToken stop)
    {
        try
        {
            await Task.Delay(offset, stop).ConfigureAwait(false);
            using var timer = new PeriodicTimer(interval);
            ulong counter = 0;
            do
            {
                counter++;
                // Request ids 1..2^31, never 0 (0 marks events).
                uint requestId = (uint)(counter % int.MaxValue) + 1;
                ChatTraffic.WriteSend(connection.Output, requestId, to, counter, Stopwatch.GetTimestamp(), text.Span);
                await connection.FlushAsync(stop).ConfigureAwait(false);
                counters.ChatSentOne();
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            counters.ChatError(e.Message);
        }
    }

    private static async Task ReadAsync(LoadConnection connection, SoakCounters counters, IntervalLatencies latencies, CancellationToken stop)
    {
        try
        {
            while (await connection.ReceiveAsync(stop).ConfigureAwait(false))
            {
                OnFrames(connection, Stopwatch.GetTimestamp(), counters, latencies);
            }
            if (!stop.IsCancellationRequested) counters.ChatError("the appliance closed a chat connection");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            counters.ChatError(e.Message);
        }
    }

    // Synchronous so the payload spans never live across an await.
    private static void OnFrames(LoadConnection connection, long now, SoakCounters counters, IntervalLatencies latencies)
    {
        while (connection.TryTakeFrame(out var header, out var payload))
        {
            if (header.Type == FrameType.Message)
            {
                ChatTraffic.ReadStamp(payload, out _, out long sentAt);
                latencies.Add(now - sentAt);
                counters.ChatDeliveredOne();
            }
            else if (header.Type == FrameType.Error)
            {
                ErrorReply.TryRead(payload, out var error);
                counters.ChatError($"ERROR {error.Code}: {error.Message}");
            }
            // SENT, DELIVERED, PRESENCE: not part of the measure.
            connection.Consume(header);
        }
    }
}

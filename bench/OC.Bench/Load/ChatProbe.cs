using System.Diagnostics;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load;

/// <summary>One phase's round trips.</summary>
internal readonly record struct ProbePhase(int Count, Percentiles Latency)
{
    public override string ToString() =>
        $"{Count} round trips, p50 {Report.Ms(Latency.P50Ms)}, p99 {Report.Ms(Latency.P99Ms)}, max {Report.Ms(Latency.MaxMs)}";
}

/// <summary>
/// A chat pair as a latency probe beside a load that keeps this process busy (a flood of
/// handshakes: the clients' TLS and PBKDF2 run on the thread pool). One message at a time, one
/// every interval; a round trip is from writing the SEND until both its SENT (at the sender:
/// stored and fsynced) and its MESSAGE (at the live receiver) are read. The probe runs on a
/// thread of its own with blocking calls, so its wake-ups wait for a core like any thread's,
/// not behind the load's work items in the pool's queue: what it measures is the appliance (and
/// the machine), not the bench's own backlog.
/// </summary>
/// <remarks>
/// The sender's SENT and the receiver's MESSAGE leave the appliance in the same loop iteration;
/// they are read one after the other, so the MESSAGE's time includes one read call more (a few
/// microseconds) than a receiver of its own would see.
/// </remarks>
internal sealed class ChatProbe(ChatPair pair, TimeSpan interval, int textBytes) : IDisposable
{
    private const uint RequestId = 1;

    private readonly byte[] _text = Filler(textBytes);
    private ulong _counter;

    /// <summary>Runs for <paramref name="seconds"/> on a new thread; the phase's round trips.</summary>
    public Task<ProbePhase> RunAsync(double seconds)
    {
        var done = new TaskCompletionSource<ProbePhase>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { done.SetResult(Run(seconds)); }
            catch (Exception e) { done.SetException(e); }
        })
        { IsBackground = true, Name = "oc-bench-probe" };
        thread.Start();
        return done.Task;
    }

    private ProbePhase Run(double seconds)
    {
        pair.Sender.SetBlockingTimeout(TimeSpan.FromSeconds(30));
        pair.Receiver.SetBlockingTimeout(TimeSpan.FromSeconds(30));
        var log = new LatencyLog();
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long step = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        long next = Stopwatch.GetTimestamp();
        while (next < end)
        {
            long start = Stopwatch.GetTimestamp();
            ulong counter = ++_counter;
            ChatTraffic.WriteSend(pair.Sender.Output, RequestId, pair.ReceiverNumber, counter, start, _text);
            pair.Sender.Flush();
            long sent = AwaitSent(pair.Sender);
            long arrived = AwaitMessage(pair.Receiver, counter);
            log.Add(Math.Max(sent, arrived) - start);

            // Paced, not bursting to catch up: a round trip longer than the interval delays the next.
            next = Math.Max(next + step, Stopwatch.GetTimestamp());
            long wait = next - Stopwatch.GetTimestamp();
            if (wait > 0) Thread.Sleep(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
        }
        return new ProbePhase(log.Count, LatencyLog.Merge([log]));
    }

    private static long AwaitSent(LoadConnection sender)
    {
        while (true)
        {
            while (sender.TryTakeFrame(out var header, out var payload))
            {
                if (header.Type == FrameType.Error)
                {
                    ErrorReply.TryRead(payload, out var error);
                    throw new IOException($"the probe's SEND was answered with ERROR {error.Code}: {error.Message}");
                }
                // Events (PRESENCE, DELIVERED) are not the reply.
                bool reply = header.Type == FrameType.Sent && header.RequestId == RequestId;
                sender.Consume(header);
                if (reply) return Stopwatch.GetTimestamp();
            }
            if (!sender.Receive()) throw new IOException("the appliance closed the probe's sender");
        }
    }

    private static long AwaitMessage(LoadConnection receiver, ulong expected)
    {
        while (true)
        {
            while (receiver.TryTakeFrame(out var header, out var payload))
            {
                if (header.Type == FrameType.Error)
                {
                    ErrorReply.TryRead(payload, out var error);
                    throw new IOException($"the probe's receiver got ERROR {error.Code}: {error.Message}");
                }
                if (header.Type != FrameType.Message)
                {
                    receiver.Consume(header);
                    continue;
                }
                ChatTraffic.ReadStamp(payload, out ulong counter, out _);
                receiver.Consume(header);
                if (counter != expected) throw new IOException($"the probe expected message {expected}, got {counter}");
                return Stopwatch.GetTimestamp();
            }
            if (!receiver.Receive()) throw new IOException("the appliance closed the probe's receiver");
        }
    }

    private static byte[] Filler(int size)
    {
        var text = new byte[size];
        for (int i = 0; i < size; i++) text[i] = (byte)('a' + i % 26);
        return text;
    }

    public void Dispose() => pair.Dispose();
}

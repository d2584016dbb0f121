using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace OC.Bench.Load;

/// <summary>
/// `room`'s reference: Redis pub/sub with M subscribers on one channel and one publisher keeping
/// W PUBLISH in flight (<see cref="ChatRedis.PublishAsync"/>), the same payload size; deliveries
/// per second and the latency from writing a PUBLISH to its last subscriber's receipt. Redis
/// stores nothing and sends in plaintext; redis-server is <see cref="RedisServer"/>'s child.
/// </summary>
internal static class RoomRedis
{
    private static readonly byte[] Channel = Encoding.ASCII.GetBytes("oc-bench:room");

    public static async Task<FanOutResult> RunAsync(LoadOptions options, int subscribers)
    {
        using var server = RedisServer.Start(options);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(600 + options.WarmupSeconds + options.DurationSeconds));
        RespConnection? publisher = null;
        var members = new RespConnection[subscribers];
        try
        {
            using (LoadRunner.Phase(options, $"set up {subscribers} Redis subscribers", TimeSpan.FromSeconds(60 + subscribers * 0.1)))
            {
                publisher = await RespConnection.ConnectAsync(server.EndPoint, cancel.Token).ConfigureAwait(false);
                for (int i = 0; i < subscribers; i++)
                {
                    members[i] = await RespConnection.ConnectAsync(server.EndPoint, cancel.Token).ConfigureAwait(false);
                    await members[i].SubscribeAsync(Channel, cancel.Token).ConfigureAwait(false);
                }
            }

            long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
            var run = new MeasuredRun(start, start + (long)(options.DurationSeconds * Stopwatch.Frequency));
            var last = new LastReceiptTracker(subscribers);
            var stats = members.Select(_ => new FanOutStats()).ToArray();
            var sender = new SenderStats();
            var tasks = new List<Task>(subscribers + 1);
            for (int i = 0; i < subscribers; i++)
            {
                var (member, s) = (members[i], stats[i]);
                tasks.Add(Task.Run(() => ReceiveAsync(member, run, last, s, cancel.Token)));
            }
            var p = publisher;
            tasks.Add(Task.Run(() => ChatRedis.PublishAsync(p, Channel, options.MessageSize, options.Window, run, sender, cancel.Token)));
            using (LoadRunner.Phase(options, "Redis fan-out traffic", TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds + 120)))
                await Task.WhenAll(tasks).ConfigureAwait(false);

            return new FanOutResult(
                sender.Acked / run.Seconds,
                stats.Sum(s => s.Delivered) / run.Seconds,
                LatencyLog.Merge(stats.Select(s => s.LastReceipt)),
                LatencyLog.Merge([sender.AckLatencies]),
                sender.SentTotal,
                stats.Sum(s => s.DeliveredTotal),
                0,
                null,
                default,
                server.Version);
        }
        finally
        {
            publisher?.Dispose();
            foreach (var c in members) c?.Dispose();
        }
    }

    private static async Task ReceiveAsync(RespConnection connection, MeasuredRun run, LastReceiptTracker last, FanOutStats stats, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false)) throw new IOException("redis closed a subscriber's connection");
            long now = Stopwatch.GetTimestamp();
            bool measured = now >= run.StartTicks && now < run.EndTicks;
            bool done = false;
            while (connection.TryTakeReply(out var kind, out var payload))
            {
                if (kind != RespKind.Message) continue;
                ulong counter = BinaryPrimitives.ReadUInt64BigEndian(payload.Span);
                long sentAt = BinaryPrimitives.ReadInt64LittleEndian(payload.Span[8..]);
                stats.DeliveredTotal++;
                if (measured) stats.Delivered++;
                if (last.OnReceipt(counter & ~ChatTraffic.LastMessageFlag) && measured) stats.LastReceipt.Add(now - sentAt);
                done |= (counter & ChatTraffic.LastMessageFlag) != 0;
            }
            if (done) return;
        }
    }
}

/// <summary>
/// One fan-out run: messages acknowledged per second (SENT, or PUBLISH replies), deliveries per
/// second across all receivers, send → last receiver's receipt, send → ack. The totals count
/// warm-up and drain too (every message sent, every delivery).
/// </summary>
internal readonly record struct FanOutResult(
    double AckedPerSecond,
    double DeliveriesPerSecond,
    Percentiles LastReceipt,
    Percentiles Ack,
    long SentTotal,
    long DeliveredTotal,
    long Errors,
    string? LastError,
    CpuSplit Cpu,
    string About);

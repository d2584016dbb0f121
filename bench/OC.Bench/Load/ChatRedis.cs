using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OC.Bench.Load;

/// <summary>
/// `chat --redis`: the reference. The same load as chat against Redis pub/sub (which stores
/// nothing): per pair a subscriber on a channel of its own and a publisher that keeps W PUBLISH in
/// flight (a new one for each reply), the same payload size, the latency from writing the PUBLISH
/// to reading the message at the subscriber. The clients are built like chat's (async sockets on
/// the thread pool, one task per connection), so both pay the same generator costs.
/// </summary>
/// <remarks>
/// redis-server runs as a child on 127.0.0.1 and a free port, with nothing saved (--save "",
/// --appendonly no) and its working folder in the temp folder, both cleaned up by
/// <see cref="BenchCleanup"/> whatever happens. The payload's first 8 bytes are a counter
/// (big-endian, the top bit on the publisher's last message), the next 8 the publisher's
/// <see cref="Stopwatch"/> timestamp, as in chat's message ids.
/// </remarks>
internal static class ChatRedis
{
    private const ulong LastMessageFlag = 1UL << 63;

    public static async Task<RedisResult> RunAsync(LoadOptions options, int pairs)
    {
        using var server = RedisServer.Start(options);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(600 + options.WarmupSeconds + options.DurationSeconds));
        var publishers = new RespConnection[pairs];
        var subscribers = new RespConnection[pairs];
        try
        {
            using (LoadRunner.Phase(options, $"set up {pairs} Redis pairs", TimeSpan.FromSeconds(60 + pairs * 0.1)))
            {
                for (int i = 0; i < pairs; i++)
                {
                    subscribers[i] = await RespConnection.ConnectAsync(server.EndPoint, cancel.Token).ConfigureAwait(false);
                    publishers[i] = await RespConnection.ConnectAsync(server.EndPoint, cancel.Token).ConfigureAwait(false);
                    await subscribers[i].SubscribeAsync(Channel(i), cancel.Token).ConfigureAwait(false);
                }
            }

            long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
            var run = new MeasuredRun(start, start + (long)(options.DurationSeconds * Stopwatch.Frequency));
            var senders = new SenderStats[pairs];
            var receivers = new ReceiverStats[pairs];
            var tasks = new List<Task>(2 * pairs);
            for (int i = 0; i < pairs; i++)
            {
                var (publisher, subscriber, channel) = (publishers[i], subscribers[i], Channel(i));
                var (sender, receiver) = (senders[i] = new SenderStats(), receivers[i] = new ReceiverStats());
                tasks.Add(Task.Run(() => ReceiveAsync(subscriber, run, receiver, cancel.Token)));
                tasks.Add(Task.Run(() => PublishAsync(publisher, channel, options.MessageSize, options.Window, run, sender, cancel.Token)));
            }
            using (LoadRunner.Phase(options, "Redis traffic", TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds + 120)))
                await Task.WhenAll(tasks).ConfigureAwait(false);

            long delivered = receivers.Sum(r => r.Delivered);
            return new RedisResult(delivered / run.Seconds, LatencyLog.Merge(receivers.Select(r => r.Latencies)), server.Version);
        }
        finally
        {
            foreach (var c in publishers) c?.Dispose();
            foreach (var c in subscribers) c?.Dispose();
        }
    }

    private static byte[] Channel(int pair) => Encoding.ASCII.GetBytes($"oc-bench:{pair}");

    internal static async Task PublishAsync(RespConnection connection, byte[] channel, int size, int window, MeasuredRun run, SenderStats stats, CancellationToken cancellationToken)
    {
        var payload = new byte[Math.Max(16, size)];
        for (int i = 16; i < payload.Length; i++) payload[i] = (byte)('a' + i % 26);
        // Replies come in order: the send times of the messages in flight, oldest first.
        var sentAt = new Queue<long>(window);
        ulong counter = 0;
        bool lastSent = false;

        void Publish(long now, bool last)
        {
            BinaryPrimitives.WriteUInt64BigEndian(payload, ++counter | (last ? LastMessageFlag : 0));
            BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), now);
            connection.WritePublish(channel, payload);
            sentAt.Enqueue(now);
            stats.SentTotal++;
            lastSent |= last;
        }

        long t = Stopwatch.GetTimestamp();
        for (int i = 0; i < window; i++) Publish(t, last: false);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (sentAt.Count > 0)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false)) throw new IOException("redis closed the publisher's connection");
            long now = Stopwatch.GetTimestamp();
            bool measured = now >= run.StartTicks && now < run.EndTicks;
            bool stopping = now >= run.EndTicks;
            while (connection.TryTakeReply(out var kind, out _))
            {
                if (kind != RespKind.Integer) throw new IOException("redis answered PUBLISH with an error");
                long at = sentAt.Dequeue();
                stats.AckedTotal++;
                if (measured)
                {
                    stats.Acked++;
                    stats.AckLatencies.Add(now - at);
                }
                if (stopping && lastSent) continue;
                Publish(now, last: stopping);
            }
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ReceiveAsync(RespConnection connection, MeasuredRun run, ReceiverStats stats, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false)) throw new IOException("redis closed the subscriber's connection");
            long now = Stopwatch.GetTimestamp();
            bool measured = now >= run.StartTicks && now < run.EndTicks;
            bool done = false;
            while (connection.TryTakeReply(out var kind, out var payload))
            {
                if (kind != RespKind.Message) continue;
                ulong counter = BinaryPrimitives.ReadUInt64BigEndian(payload.Span);
                long sentAt = BinaryPrimitives.ReadInt64LittleEndian(payload.Span[8..]);
                stats.DeliveredTotal++;
                if (measured)
                {
                    stats.Delivered++;
                    stats.Latencies.Add(now - sentAt);
                }
                done |= (counter & LastMessageFlag) != 0;
            }
            if (done) return;
        }
    }
}

internal readonly record struct RedisResult(double DeliveredPerSecond, Percentiles EndToEnd, string Version);

using System.Collections.Concurrent;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.Tests.EndToEnd;

/// <summary>
/// A sender's burst for the kill -9 tests: <paramref name="window"/> requests in flight, each SENT
/// recorded by message id as it comes; a connection killed under it ends the burst quietly (what
/// was acknowledged is what counts).
/// </summary>
internal static class AckedBurst
{
    public static Task RunAsync(OcConnection connection, IEnumerable<(byte[] Id, RequestWriter Write)> messages, int window,
        ConcurrentDictionary<Guid, ulong> acked, Action afterEachAck) => Task.Run(() =>
    {
        var inFlight = new Queue<(byte[] Id, Task<ReceivedFrame> Reply)>();
        try
        {
            foreach (var (id, write) in messages)
            {
                inFlight.Enqueue((id, connection.RequestAsync(write)));
                while (inFlight.Count >= window) Ack(inFlight.Dequeue());
            }
            while (inFlight.Count > 0) Ack(inFlight.Dequeue());
        }
        catch (OcConnectionException)
        {
            // Killed under us.
        }

        void Ack((byte[] Id, Task<ReceivedFrame> Reply) item)
        {
            var reply = item.Reply.GetAwaiter().GetResult();
            Assert.True(Sent.TryRead(reply.Payload, out var sent));
            acked[new Guid(item.Id)] = sent.Seq;
            afterEachAck();
        }
    });
}

using System.Net;
using System.Net.Sockets;

namespace OC.Bench.Load.Soak;

/// <summary>
/// Garbage clients: <c>perSecond</c> times a second a connection sends 64 B to 4 KiB of random
/// bytes, to the protocol port and the HTTP port in turn, and waits up to
/// <see cref="WaitForClose"/> for the appliance to close it (a bad length or frame type, a
/// request that is not HTTP) before closing it itself.
/// </summary>
internal static class SoakGarbage
{
    private static readonly TimeSpan WaitForClose = TimeSpan.FromSeconds(5);
    private const int MaxInFlight = 64;

    public static async Task RunAsync(IPEndPoint protocol, IPEndPoint? http, double perSecond, SoakCounters counters, CancellationToken stop)
    {
        using var slots = new SemaphoreSlim(MaxInFlight);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
        var random = new Random(6677);
        var running = new List<Task>();
        try
        {
            for (long n = 0; await timer.WaitForNextTickAsync(stop).ConfigureAwait(false); n++)
            {
                if (!slots.Wait(0)) continue;
                var target = http is not null && n % 2 == 1 ? http : protocol;
                var bytes = new byte[random.Next(64, 4097)];
                random.NextBytes(bytes);
                running.Add(Task.Run(async () =>
                {
                    try { counters.GarbageOne(await OneAsync(target, bytes, stop).ConfigureAwait(false)); }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                    // A reset while sending is the appliance closing on the first bad bytes: counted as closed.
                    catch (SocketException) { counters.GarbageOne(closedByAppliance: true); }
                    finally { slots.Release(); }
                }, CancellationToken.None));
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <returns>Whether the appliance closed the connection (rather than this client, after the wait).</returns>
    private static async Task<bool> OneAsync(IPEndPoint target, byte[] bytes, CancellationToken stop)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target, stop).ConfigureAwait(false);
        await socket.SendAsync(bytes, SocketFlags.None, stop).ConfigureAwait(false);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
        wait.CancelAfter(WaitForClose);
        var sink = new byte[4096];
        try
        {
            // Whatever the appliance answers (an ERROR frame, an HTTP 400) is read and dropped.
            while (await socket.ReceiveAsync(sink, SocketFlags.None, wait.Token).ConfigureAwait(false) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return false;
        }
    }
}

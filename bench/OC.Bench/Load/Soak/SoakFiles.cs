using OC.Protocol.Client;

namespace OC.Bench.Load.Soak;

/// <summary>
/// One user uploads a file to a friend and the friend downloads it, again every <c>period</c>
/// (or at once when a round took longer), through the client library as `oc` does it. Every
/// upload gets a new name, so it is stored anew and not taken for the resume of the last one;
/// each download goes to a new file that is deleted after the SHA-256 check.
/// </summary>
internal static class SoakFiles
{
    public static async Task RunAsync(Target target, string source, string work, TimeSpan period, SoakCounters counters, CancellationToken stop)
    {
        string host = target.EndPoint.Address.ToString();
        int port = target.EndPoint.Port;
        await using var alice = await OcConnection.ConnectAsync(host, port, "oc-bench-soak", target.Transport, stop).ConfigureAwait(false);
        await using var bob = await OcConnection.ConnectAsync(host, port, "oc-bench-soak", target.Transport, stop).ConfigureAwait(false);
        uint a = await OcAccounts.RegisterAsync(alice, "soak-up", "", "bench password", cancellationToken: stop).ConfigureAwait(false);
        uint b = await OcAccounts.RegisterAsync(bob, "soak-down", "", "bench password", cancellationToken: stop).ConfigureAwait(false);
        await OcAccounts.LoginAsync(alice, a, "bench password", stop).ConfigureAwait(false);
        await OcAccounts.LoginAsync(bob, b, "bench password", stop).ConfigureAwait(false);
        if (!(await OcFriends.AddAsync(alice, b, stop).ConfigureAwait(false)).Friend) await OcFriends.AcceptAsync(bob, a, stop).ConfigureAwait(false);

        using var timer = new PeriodicTimer(period);
        try
        {
            for (int round = 1; !stop.IsCancellationRequested; round++)
            {
                string copy = Path.Combine(work, $"download-{round}.bin");
                try
                {
                    ulong id;
                    await using (var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024))
                    {
                        id = await OcFiles.UploadAsync(alice, b, $"soak-{round}.bin", file, cancellationToken: stop).ConfigureAwait(false);
                    }
                    await using (var file = new FileStream(copy, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1024 * 1024))
                    {
                        await OcFiles.DownloadAsync(bob, id, file, cancellationToken: stop).ConfigureAwait(false);
                    }
                    counters.FileLoopDone();
                }
                catch (Exception e) when (e is OcErrorException or OcConnectionException or IOException or InvalidDataException && !stop.IsCancellationRequested)
                {
                    counters.FileError(e.Message);
                }
                finally
                {
                    File.Delete(copy);
                }
                await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}

using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load.Soak;

/// <summary>
/// Connection churn: <c>perSecond</c> times a second a new connection says HELLO, logs in, makes
/// three requests (WHOAMI, FRIEND_LIST, PING) and goes. Nine in ten RESUME one session token;
/// every tenth does the full SCRAM login and LOGOUT (so sessions do not pile up in the database).
/// </summary>
internal static class SoakChurn
{
    private const int FullLoginEvery = 10;

    // Churns in progress at once: a tick that finds them all busy is counted as skipped, so a
    // slow appliance shows as fewer churns rather than as a growing pile of connections here.
    private const int MaxInFlight = 64;

    public static async Task RunAsync(Target target, uint user, byte[] token, int perSecond, SoakCounters counters, CancellationToken stop)
    {
        using var slots = new SemaphoreSlim(MaxInFlight);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        var running = new List<Task>();
        try
        {
            for (long n = 0; await timer.WaitForNextTickAsync(stop).ConfigureAwait(false); n++)
            {
                if (!slots.Wait(0))
                {
                    counters.ChurnSkippedOne();
                    continue;
                }
                bool fullLogin = n % FullLoginEvery == 0;
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await OneAsync(target, user, fullLogin ? null : token, stop).ConfigureAwait(false);
                        counters.ChurnedOne();
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
                    {
                        counters.ChurnError(e.Message);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None));
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <param name="token">A session token to RESUME, or null for the full SCRAM login (and a LOGOUT at the end).</param>
    private static async Task OneAsync(Target target, uint user, byte[]? token, CancellationToken stop)
    {
        using var connection = await LoadConnection.ConnectAsync(target, stop).ConfigureAwait(false);
        // HELLO and RESUME together (pipelined), as IdleMode opens its connections.
        LoadConnection.WriteHello(connection.Output);
        if (token is not null) Resume.Write(connection.Output, 2, new Resume(token));
        await connection.FlushAsync(stop).ConfigureAwait(false);
        var welcome = await connection.ReadFrameAsync(stop).ConfigureAwait(false);
        ChatPair.Expect(welcome, FrameType.Welcome, "HELLO");
        if (token is not null) ChatPair.Expect(await connection.ReadFrameAsync(stop).ConfigureAwait(false), FrameType.LoggedIn, "RESUME");
        else await ChatPair.LoginAsync(connection, user, stop).ConfigureAwait(false);

        ChatPair.Expect(await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.WhoAmI, id), 10, stop).ConfigureAwait(false), FrameType.UserInfo, "WHOAMI");
        ChatPair.Expect(await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.FriendList, id), 11, stop).ConfigureAwait(false), FrameType.Friends, "FRIEND_LIST");
        ChatPair.Expect(await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id), 12, stop).ConfigureAwait(false), FrameType.Pong, "PING");
        if (token is null) ChatPair.Expect(await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id), 13, stop).ConfigureAwait(false), FrameType.Ok, "LOGOUT");
    }
}

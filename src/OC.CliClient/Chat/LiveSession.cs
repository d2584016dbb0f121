using OC.CliClient.Commands;
using OC.CliClient.Config;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

/// <summary>
/// A session that stays connected: resume, SYNC from the cursor, then live events, and after a
/// lost connection the same again with backoff, resuming from the cursor so that nothing is lost
/// or shown twice. Used by <c>oc listen</c> and <c>oc chat</c>.
/// </summary>
/// <remarks>
/// The cursor is the highest seq shown. It lives in memory (one per process) and is saved to the
/// <see cref="CursorStore"/> after the messages are shown, never before: a crash in between shows
/// a message again rather than losing it.
/// </remarks>
internal sealed partial class LiveSession(CommandContext context, Session session)
{
    /// <summary>How often a quiet connection is checked with a PING (a dead peer sends no reset).</summary>
    private static readonly TimeSpan s_watchdogPeriod = TimeSpan.FromSeconds(15);

    private CursorStore? _cursorStore;
    private ulong _cursor;

    public uint Me => session.OcNumber;

    public string MyNick => session.Nick;

    public ServerAddress Server { get; private set; }

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled (then an <see cref="OperationCanceledException"/>)
    /// or a failure that reconnecting cannot cure: the first connection failing, the session ended
    /// (logged out), the appliance refusing a request.
    /// </summary>
    public async Task RunAsync(ILiveView view, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(Random.Shared);
        bool connectedBefore = false;
        bool lost = false;
        while (true)
        {
            ApplianceLink link;
            try
            {
                link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (connectedBefore && ApplianceLink.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(backoff.Next(), cancellationToken).ConfigureAwait(false);
                continue;
            }

            connectedBefore = true;
            string reason;
            await using (link.ConfigureAwait(false))
            {
                Server = link.Server;
                _cursorStore ??= new CursorStore(context.Config, link.Connection.Welcome.ApplianceId, link.Server, Me);
                if (!lost) Adopt(_cursorStore.Load());
                reason = await ServeAsync(link, view, lost, backoff, cancellationToken).ConfigureAwait(false);
            }

            lost = true;
            view.Lost(reason);
            await Task.Delay(backoff.Next(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One connection, from SYNC to its end; returns why it ended if reconnecting may help, else throws.</summary>
    private async Task<string> ServeAsync(ApplianceLink link, ILiveView view, bool again, Backoff backoff, CancellationToken cancellationToken)
    {
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var generation = new Generation(link);
        var watchdog = WatchdogAsync(generation, scope);
        try
        {
            var friends = await link.CallAsync(OcFriends.ListAsync, scope.Token).ConfigureAwait(false);
            var missed = UpdateFriends(friends, again);
            missed.AddRange(await WaitingRequestsAsync(link, scope.Token).ConfigureAwait(false));
            await LoadRoomsAsync(link, scope.Token).ConfigureAwait(false);

            view.Connected(again);
            var stream = new OcMessageStream(link.Connection, Interlocked.Read(ref _cursor));
            var offline = await stream.SyncAsync(scope.Token).ConfigureAwait(false);
            foreach (var e in offline) await ShowAsync(link, view, e, scope.Token).ConfigureAwait(false);
            foreach (var e in missed) await ShowAsync(link, view, e, scope.Token).ConfigureAwait(false);
            await SaveCursorAsync(stream, scope.Token).ConfigureAwait(false);
            view.Live(again);

            backoff.Reset();
            Ready(generation);
            await foreach (var e in stream.ReadAllAsync(scope.Token).ConfigureAwait(false))
            {
                await ShowAsync(link, view, e, scope.Token).ConfigureAwait(false);
                if (e is MessageEvent or RoomMessageEvent) await SaveCursorAsync(stream, scope.Token).ConfigureAwait(false);
            }

            return "the connection was closed";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && generation.Unanswered)
        {
            return "the appliance stopped answering";
        }
        catch (Exception e) when (ApplianceLink.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            return e.Message;
        }
        finally
        {
            Lost(generation);
            await scope.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
        }
    }

    private async Task SaveCursorAsync(OcMessageStream stream, CancellationToken cancellationToken)
    {
        if (stream.Cursor <= Interlocked.Read(ref _cursor)) return;
        Interlocked.Exchange(ref _cursor, stream.Cursor);
        await SaveCursorAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cursor and this process's own sends above it, merged into the file.</summary>
    private async Task SaveCursorAsync(CancellationToken cancellationToken)
    {
        ulong cursor = Interlocked.Read(ref _cursor);
        List<ulong> above;
        lock (_sentHere)
        {
            _sentHere.RemoveWhere(s => s <= cursor); // The stream drops those anyway.
            above = [.. _sentHere];
        }

        await _cursorStore!.SaveAsync(cursor, above, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes over a saved cursor: its seen messages count as sent here (not shown again).</summary>
    private void Adopt(Cursor saved)
    {
        if (saved.Seq > Interlocked.Read(ref _cursor)) Interlocked.Exchange(ref _cursor, saved.Seq);
        lock (_sentHere) _sentHere.UnionWith(saved.SeenAbove);
    }

    /// <summary>PING now and then: a peer that vanished without a reset (power, cable) is noticed within a period and a timeout.</summary>
    private static async Task WatchdogAsync(Generation generation, CancellationTokenSource scope)
    {
        var link = generation.Link;
        try
        {
            using var timer = new PeriodicTimer(s_watchdogPeriod);
            while (await timer.WaitForNextTickAsync(scope.Token).ConfigureAwait(false))
            {
                await link.CallAsync(
                    (c, t) => c.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id), t), scope.Token).ConfigureAwait(false);
            }
        }
        catch (CliException e) when (e.InnerException is TimeoutException)
        {
            generation.Unanswered = true;
            await scope.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or OcConnectionException or OcErrorException or ObjectDisposedException)
        {
            // The serving loop sees the end of the connection itself.
        }
    }
}

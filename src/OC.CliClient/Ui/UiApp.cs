using System.Runtime.InteropServices;
using System.Threading.Channels;
using OC.CliClient.Chat;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Ui;

/// <summary>Which pane the keys go to.</summary>
internal enum Pane
{
    Input,
    List,
    Conversation,
    Files,
}

/// <summary>What takes the keys besides the panes: nothing, the help box, the Ctrl-K jump, the path prompt of a file send.</summary>
internal enum Overlay
{
    None,
    Help,
    Jump,
    SendPath,
}

/// <summary>
/// <c>oc ui</c>: the full-screen client. One loop owns all state: key presses (from a reader
/// thread), the <see cref="LiveSession"/>'s events, resizes (SIGWINCH) and the results of requests
/// are posted to it as actions, applied in order, and the screen is drawn after each batch. The
/// protocol side is <see cref="LiveSession"/>, the same as <c>oc chat</c>'s: reconnecting, sending
/// again with the same message id, the cursor of what was shown.
/// </summary>
internal sealed partial class UiApp
{
    private readonly LiveSession _session;
    private readonly Channel<Action> _posts = Channel.CreateUnbounded<Action>(new() { SingleReader = true });
    private readonly Renderer _renderer;
    private readonly Notifier _notifier;
    private readonly string _trust;
    private readonly string _server;
    private readonly TimeSpan _drainTimeout;
    private RawTerminal? _terminal;
    private int _width = 80;
    private int _height = 24;
    private bool _quit;
    private bool _interrupted;
    private Exception? _ended;

    public UiApp(LiveSession session, string server, CliEnvironment environment, bool notify, string trust, TimeSpan drainTimeout)
    {
        _session = session;
        _server = server;
        _renderer = new Renderer(string.IsNullOrEmpty(environment.GetVariable("NO_COLOR")));
        _notifier = new Notifier(text => _terminal?.Write(text), environment.GetVariable, notify);
        _trust = trust;
        _drainTimeout = drainTimeout;
    }

    /// <summary>Runs until the quit key, Ctrl-C or a signal; returns the exit code (130 after Ctrl-C or a signal).</summary>
    public async Task<int> RunAsync(RawTerminal terminal, TerminalInput input, CancellationToken cancellationToken)
    {
        _terminal = terminal;
        using var stop = new CancellationTokenSource();
        using var senderStop = new CancellationTokenSource();
        Task live = Task.CompletedTask;
        Task sender = Task.CompletedTask;
        try
        {
            (_width, _height) = RawTerminal.Size();
            using var resize = OperatingSystem.IsLinux()
                ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
                {
                    context.Cancel = true;
                    Post(Resized);
                })
                : null;
            using var signal = cancellationToken.Register(() => Post(() => _quit = true));
            _ = PumpKeysAsync(input, stop.Token);
            live = _session.RunAsync(new View(this), stop.Token);
            _ = live.ContinueWith(t => Post(() => SessionEnded(t)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            sender = SendLoopAsync(senderStop.Token);
            Draw();
            while (!_quit)
            {
                var action = await _posts.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                action();
                while (!_quit && _posts.Reader.TryRead(out var more)) more();
                if (!_quit) Draw();
            }
        }
        finally
        {
            // Restored before waiting for the last sends below (the caller restores it too, in case this never ran).
            _terminal = null;
            terminal.Dispose();
        }

        // Leaving: what is typed and not yet acknowledged is sent first, for a while (less after Ctrl-C).
        _outgoing.Writer.TryComplete();
        bool hurry = _interrupted || cancellationToken.IsCancellationRequested;
        await Task.WhenAny(sender, Task.Delay(hurry ? TimeSpan.FromSeconds(1) : _drainTimeout, CancellationToken.None)).ConfigureAwait(false);
        await _stopTransfers.CancelAsync().ConfigureAwait(false);
        await senderStop.CancelAsync().ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Quiet(sender).ConfigureAwait(false);
        await Quiet(live).ConfigureAwait(false);
        if (_ended is not null) throw _ended;
        int unsent = Volatile.Read(ref _unsent);
        if (unsent > 0)
        {
            throw new CliException(unsent == 1
                ? "1 message was not sent (no connection to the appliance)"
                : $"{unsent} messages were not sent (no connection to the appliance)");
        }

        return hurry ? ExitCodes.Cancelled : ExitCodes.Success;
    }

    /// <summary>Queues <paramref name="action"/> for the loop (any thread).</summary>
    private void Post(Action action) => _posts.Writer.TryWrite(action);

    private void Resized()
    {
        (_width, _height) = RawTerminal.Size();
        _renderer.Invalidate();
    }

    /// <summary>The session ended by itself: a failure reconnecting cannot cure (logged out elsewhere, say).</summary>
    private void SessionEnded(Task live)
    {
        if (_quit) return;
        if (live.Exception is { } failure) _ended = failure.InnerException ?? failure;
        _quit = true;
    }

    /// <summary>The terminal's keys, posted to the loop; the end of input quits.</summary>
    private async Task PumpKeysAsync(TerminalInput input, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var key in input.Keys.ReadAllAsync(cancellationToken).ConfigureAwait(false)) Post(() => OnKey(key));
            Post(() => _quit = true);
        }
        catch (OperationCanceledException)
        {
            // Leaving.
        }
    }

    private static async Task Quiet(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Only waiting for the end here; failures were shown or are rethrown by the caller.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>The session's events, posted to the loop.</summary>
    private sealed class View(UiApp app) : ILiveView
    {
        public void Connected(bool again) => app.Post(() => app.OnConnected());

        public void Live(bool again) => app.Post(() => app.OnLive());

        public void Show(OcEvent e) => app.Post(() => app.Apply(e));

        public void Lost(string reason) => app.Post(() => app.OnLost(reason));
    }
}

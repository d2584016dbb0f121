using System.Globalization;
using System.Threading.Channels;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

/// <summary>
/// <c>oc chat</c> once started: the user's lines and slash commands on one side, the
/// <see cref="LiveSession"/>'s events on the other, and a queue of messages to send between them.
/// </summary>
/// <remarks>
/// Typed messages go into a queue that one sender works through in order; the input never waits
/// for the network. A message keeps its id until the appliance acknowledges it, so a reconnect
/// sends it again and it is still stored once. Leaving waits (up to --timeout) for the queue.
/// </remarks>
internal sealed partial class ChatLoop(LiveSession session, ChatConsole console, TimeSpan drainTimeout, bool styles = false)
{
    private readonly LiveSession _session = session;
    private readonly ChatConsole _console = console;
    private readonly TimeSpan _drainTimeout = drainTimeout;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new() { SingleReader = true });
    // DELIVERED may be read before SENT's seq is back here: the receipts match them either way.
    private readonly DeliveryReceipts<uint> _receipts = new();
    private readonly TaskCompletionSource _live = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _unsent;
    private volatile bool _interrupted;
    // The conversation plain lines go to: a friend or a room (null: none yet). Replaced whole, never changed.
    private volatile ChatPeer? _current;
    private readonly Mentions _mentions = new(session.MyNick, session.Me, styles);

    /// <summary>Chats until /quit, Ctrl-D, Ctrl-C or cancellation; returns the exit code (130 after Ctrl-C or a signal).</summary>
    /// <param name="initialPeer">The friend to talk to first (0: none).</param>
    /// <param name="cancellationToken">Cancelled by a signal.</param>
    /// <param name="initialRoom">Or the room to talk in first, as /to takes it (#123456, #NAME).</param>
    public async Task<int> RunAsync(uint initialPeer, CancellationToken cancellationToken, string? initialRoom = null)
    {
        _signal = cancellationToken;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var live = _session.RunAsync(new View(this), stop.Token);
        using var senderStop = new CancellationTokenSource();
        var sender = SendLoopAsync(senderStop.Token);
        _console.Start();

        var input = ReadInputAsync(initialPeer, initialRoom, stop.Token);
        var first = await Task.WhenAny(input, live).ConfigureAwait(false);
        if (first == live)
        {
            // The session ended by itself: a failure reconnecting cannot cure (or cancellation).
            await EndTransfersAsync(stop: true).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Quiet(input).ConfigureAwait(false);
            await senderStop.CancelAsync().ConfigureAwait(false);
            await Quiet(sender).ConfigureAwait(false);
            try
            {
                await live.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A signal: leaving, as with /quit, but with the exit code of an interruption.
            }

            return cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Success;
        }

        // Leaving: send what is queued first, for a while. After a signal there is less time.
        _outgoing.Writer.TryComplete();
        var patience = cancellationToken.IsCancellationRequested ? TimeSpan.FromSeconds(1) : _drainTimeout;
        await Task.WhenAny(sender, Task.Delay(patience, CancellationToken.None)).ConfigureAwait(false);
        await FinishTransfersAsync(stopNow: cancellationToken.IsCancellationRequested || _interrupted, cancellationToken).ConfigureAwait(false);
        await senderStop.CancelAsync().ConfigureAwait(false);
        await Quiet(sender).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Quiet(live).ConfigureAwait(false);
        if (live.IsFaulted) await live.ConfigureAwait(false);

        int unsent = Volatile.Read(ref _unsent);
        if (unsent > 0)
        {
            throw new CliException(unsent == 1
                ? "1 message was not sent (no connection to the appliance)"
                : $"{unsent} messages were not sent (no connection to the appliance)");
        }
        int failed = Volatile.Read(ref _failedTransfers);
        if (failed > 0) throw new CliException(failed == 1 ? "1 file transfer failed (see above)" : $"{failed} file transfers failed (see above)");

        // Ctrl-C, as a key on a terminal or as SIGINT: 130, as the README promises for every command.
        return cancellationToken.IsCancellationRequested || _interrupted ? ExitCodes.Cancelled : ExitCodes.Success;
    }

    private async Task ReadInputAsync(uint initialPeer, string? initialRoom, CancellationToken cancellationToken)
    {
        try
        {
            // Lines typed (or piped) before the first SYNC wait for it: /who and /to need the
            // friend list, and the offline messages come first.
            await _live.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (initialPeer != 0) await SwitchToAsync(initialPeer, cancellationToken).ConfigureAwait(false);
            if (initialRoom is not null) await ToRoomAsync(initialRoom, cancellationToken).ConfigureAwait(false);
            await foreach (var input in _console.Input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (input.Kind != ChatInputKind.Line)
                {
                    _interrupted = input.Kind == ChatInputKind.Interrupt;
                    return;
                }
                if (!await HandleLineAsync(input.Line, cancellationToken).ConfigureAwait(false)) return;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A signal (not a terminal: Ctrl-C is a key there) or the session's end.
        }
    }

    /// <summary>A plain line is a message to the current conversation; false when the user leaves.</summary>
    private async Task<bool> HandleLineAsync(string line, CancellationToken cancellationToken)
    {
        if (line.StartsWith('/') && !line.StartsWith("//", StringComparison.Ordinal))
        {
            return await CommandAsync(line, cancellationToken).ConfigureAwait(false);
        }

        string text = line.StartsWith("//", StringComparison.Ordinal) ? line[1..] : line;
        if (text.Length == 0) return true; // Enter on an empty line; spaces only are refused below, as oc send does.
        var current = _current;
        if (current is null)
        {
            _console.Warn("no conversation yet: /to NUMBER or /to #ROOM first (/who lists your friends, /rooms your rooms)");
            return true;
        }

        try
        {
            OcMessages.CheckText(text);
        }
        catch (ArgumentException e)
        {
            _console.Warn(e.Message.Split(" (Parameter")[0] + "; not sent");
            return true;
        }

        Interlocked.Increment(ref _unsent);
        var id = OcMessages.NewMessageId();
        _outgoing.Writer.TryWrite(new Outgoing(current, text, id));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _console.PrintSafe(current.IsRoom
            ? RoomLines.Live(new RoomMessage(0, now, current.Id, _session.Me, RoomMessageKind.Text, 0, id, text), _session.RoomName(current.Id), _session.RoomNames, _mentions)
            : MessageLines.Conversation(now, "you", _session.Nick(current.Id), text, _mentions));
        return true;
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (message.To.IsRoom)
                {
                    // No receipts in rooms (docs/protocol.md: DELIVERED is not sent for room messages).
                    await _session.SendToRoomAsync(message.To.Id, message.Text, message.Id, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var sent = await _session.SendAsync(message.To.Id, message.Text, message.Id, cancellationToken).ConfigureAwait(false);
                    if (_receipts.Sent(sent.Seq, message.To.Id)) PrintDelivered(message.To.Id);
                }
            }
            catch (OcErrorException e)
            {
                _console.Warn($"{ErrorReport.Describe(e)} (not sent: {Preview(message.Text)})");
            }


            Interlocked.Decrement(ref _unsent);
        }
    }

    private void PrintDelivered(uint to) => _console.Print($"  ✓ delivered to {_session.Nick(to)}");

    private static string Preview(string text) =>
        ErrorReport.OneLine(text.Length <= 30 ? text : string.Concat(text.AsSpan(0, 29), "…"));

    private static async Task Quiet(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Only waiting for the end here; the caller looks at the task itself.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private readonly record struct Outgoing(ChatPeer To, string Text, byte[] Id);

    private string PromptFor(ChatPeer? peer) => peer switch
    {
        null => "> ",
        { IsRoom: true } => RoomLines.Label(peer.Id, _session.RoomName(peer.Id)) + "> ",
        _ => MessageLines.Visible(_session.Nick(peer.Id)) + "> ",
    };

    private static string Number(uint number) => number.ToString("D6", CultureInfo.InvariantCulture);
}

/// <summary>A conversation of <c>oc chat</c>: a friend (by OC number) or a room (by id).</summary>
internal sealed record ChatPeer(uint Id, bool IsRoom);

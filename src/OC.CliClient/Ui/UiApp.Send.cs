using System.Threading.Channels;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Ui;

// Sending: what is typed is shown at once and queued; one sender works through the queue with
// LiveSession.SendAsync, which waits for a connection and sends again with the same message id
// after a loss (stored once). SENT gives the message its seq; DELIVERED its mark.
internal sealed partial class UiApp
{
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new() { SingleReader = true });
    private readonly DeliveryReceipts<Entry> _receipts = new();
    private int _unsent;

    /// <summary>Enter in the input: a message to the conversation in view, or /quit, /send PATH, /get FILE_ID.</summary>
    private void Submit()
    {
        string text = _input.Text;
        if (text.Length == 0) return;
        if (text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal))
        {
            _input.Take();
            Command(text);
            return;
        }

        if (text.StartsWith("//", StringComparison.Ordinal)) text = text[1..];
        if (_current is not { } conversation)
        {
            _status = "no conversation open: choose one in the list (Tab, then Enter) or with Ctrl-K";
            return;
        }

        try
        {
            OcMessages.CheckText(text);
        }
        catch (ArgumentException e)
        {
            _status = e.Message.Split(" (Parameter")[0] + "; not sent";
            return;
        }

        _input.Take();
        var entry = new Entry { TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), From = _session.Me, Text = text, MessageId = OcMessages.NewMessageId() };
        conversation.Add(entry);
        _scroll = 0;
        Interlocked.Increment(ref _unsent);
        _outgoing.Writer.TryWrite(new Outgoing(conversation.Number, conversation.IsRoom, entry));
    }

    private void Command(string line)
    {
        string[] words = line.Split(' ', 2, StringSplitOptions.TrimEntries);
        string argument = words.Length > 1 ? words[1] : "";
        switch (words[0])
        {
            case "/quit" or "/q":
                _quit = true;
                break;
            case "/send":
                if (argument.Length == 0) BeginSendPrompt();
                else StartSend(argument);
                break;
            case "/files":
                ToggleFiles();
                break;
            default:
                _status = $"{words[0]}: not a command here (/send PATH, /files, /quit; F1 shows the keys)";
                break;
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var sent = message.Room
                    ? await _session.SendToRoomAsync(message.To, message.Entry.Text, message.Entry.MessageId!, cancellationToken).ConfigureAwait(false)
                    : await _session.SendAsync(message.To, message.Entry.Text, message.Entry.MessageId!, cancellationToken).ConfigureAwait(false);
                Post(() =>
                {
                    message.Entry.Seq = sent.Seq;
                    if (_receipts.Sent(sent.Seq, message.Entry)) message.Entry.Delivered = true;
                });
            }
            catch (OcErrorException e)
            {
                Post(() =>
                {
                    message.Entry.Failed = true;
                    _status = ErrorReport.OneLine(ErrorReport.Describe(e)) + " (not sent)";
                });
            }

            Interlocked.Decrement(ref _unsent);
        }
    }

    private readonly record struct Outgoing(uint To, bool Room, Entry Entry);
}

using System.Threading.Channels;

namespace OC.CliClient.Ui;

/// <summary>
/// The terminal's keys, read on a thread of its own (a read of stdin blocks) and parsed by
/// <see cref="KeyParser"/>. One per process: the login screen and the client after it read the
/// same channel, so no key is taken by a reader that is no longer listening.
/// </summary>
internal sealed class TerminalInput
{
    private readonly Channel<Key> _keys = Channel.CreateUnbounded<Key>(new() { SingleWriter = true });

    private TerminalInput()
    {
    }

    /// <summary>The keys in order; completed when the terminal is gone (end of input).</summary>
    public ChannelReader<Key> Keys => _keys.Reader;

    public static TerminalInput Start()
    {
        var input = new TerminalInput();
        var reader = new Thread(input.Read)
        {
            IsBackground = true,
            Name = "oc-ui-input",
        };
        reader.Start();
        return input;
    }

    private void Read()
    {
        var parser = new KeyParser();
        var buffer = new byte[4096];
        try
        {
            using var stdin = RawTerminal.OpenInput();
            while (true)
            {
                int read = stdin.Read(buffer);
                if (read <= 0) break;
                foreach (var key in parser.Feed(buffer.AsSpan(0, read))) _keys.Writer.TryWrite(key);
            }
        }
        catch (IOException)
        {
            // The terminal went away.
        }

        _keys.Writer.TryComplete();
    }
}

using System.Threading.Channels;

namespace OC.CliClient.Terminal;

/// <summary>What the user did at the <c>oc chat</c> input.</summary>
internal enum ChatInputKind
{
    /// <summary>A line was entered.</summary>
    Line,

    /// <summary>Ctrl-D on an empty line, or the end of stdin.</summary>
    End,

    /// <summary>Ctrl-C at the terminal.</summary>
    Interrupt,
}

internal readonly record struct ChatInput(ChatInputKind Kind, string Line = "");

/// <summary>
/// The input and output of <c>oc chat</c>: <see cref="TerminalChatConsole"/> on a terminal (a line
/// editor that lines printed meanwhile do not garble), <see cref="PlainChatConsole"/> otherwise
/// (lines from stdin, for scripts). Every method may be called from any thread.
/// </summary>
internal abstract class ChatConsole : IDisposable
{
    private readonly Channel<ChatInput> _input = Channel.CreateUnbounded<ChatInput>(new() { SingleReader = true });

    /// <summary>What the user typed, in order, ending with <see cref="ChatInputKind.End"/> or <see cref="ChatInputKind.Interrupt"/>.</summary>
    public ChannelReader<ChatInput> Input => _input.Reader;

    /// <summary>Starts reading input (on a thread of its own: both Console.ReadKey and stdin block).</summary>
    public void Start()
    {
        var reader = new Thread(() =>
        {
            try
            {
                ReadInput(_input.Writer);
            }
            catch (IOException)
            {
                _input.Writer.TryWrite(new ChatInput(ChatInputKind.End));
            }
            finally
            {
                _input.Writer.TryComplete();
            }
        })
        {
            IsBackground = true,
            Name = "oc-chat-input",
        };
        reader.Start();
    }

    /// <summary>
    /// Prints one or more lines of chat (messages, events, command output), made safe by
    /// <see cref="MessageLines.Visible"/> whatever they hold.
    /// </summary>
    public void Print(string text) => PrintVisible(MessageLines.Visible(text));

    /// <summary>
    /// Prints lines that were made safe piece by piece already (<see cref="RoomLines"/>), as they
    /// are: the highlight of a mention survives.
    /// </summary>
    public void PrintSafe(string text) => PrintVisible(text);

    /// <summary>Prints text already made safe.</summary>
    protected abstract void PrintVisible(string text);

    /// <summary>A line about the chat itself that went wrong (a refused message, say).</summary>
    public abstract void Warn(string text);

    /// <summary>Shows which conversation plain lines go to.</summary>
    public abstract void SetPrompt(string prompt);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    protected abstract void ReadInput(ChannelWriter<ChatInput> input);
}

/// <summary>Not a terminal: lines from stdin, chat lines to stdout, warnings to stderr; no prompt.</summary>
internal sealed class PlainChatConsole(TextReader stdin, TextWriter stdout, TextWriter stderr) : ChatConsole
{
    private readonly Lock _lock = new();

    protected override void PrintVisible(string text)
    {
        lock (_lock)
        {
            stdout.WriteLine(text);
            stdout.Flush();
        }
    }

    public override void Warn(string text)
    {
        lock (_lock)
        {
            stderr.WriteLine("oc: " + ErrorReport.OneLine(text));
            stderr.Flush();
        }
    }

    public override void SetPrompt(string prompt)
    {
    }

    protected override void ReadInput(ChannelWriter<ChatInput> input)
    {
        while (stdin.ReadLine() is { } line)
        {
            input.TryWrite(new ChatInput(ChatInputKind.Line, line));
        }

        input.TryWrite(new ChatInput(ChatInputKind.End));
    }
}

/// <summary>
/// A terminal: keys are read one at a time (Console.ReadKey, no echo) into a <see cref="LineEditor"/>;
/// everything printed goes through one lock and the editor, which redraws the line being typed.
/// Ctrl-C is a key here, not a signal, so it ends the chat like /quit.
/// </summary>
internal sealed class TerminalChatConsole : ChatConsole
{
    private readonly Lock _lock = new();
    private readonly TextWriter _terminal;
    private readonly LineEditor _editor;
    private readonly bool _treatControlCAsInput;

    public TerminalChatConsole(TextWriter terminal, string prompt)
    {
        _terminal = terminal;
        _editor = new LineEditor(prompt);
        _treatControlCAsInput = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        Write(_editor.Draw());
    }

    protected override void PrintVisible(string text)
    {
        lock (_lock) Write(_editor.PrintAbove(text, Columns()));
    }

    public override void Warn(string text) => Print("! " + text);

    public override void SetPrompt(string prompt)
    {
        lock (_lock) Write(_editor.SetPrompt(prompt, Columns()));
    }

    protected override void ReadInput(ChannelWriter<ChatInput> input)
    {
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            EditorStep step;
            lock (_lock)
            {
                step = _editor.Key(key, Columns());
                Write(step.Output);
            }

            switch (step.Action)
            {
                case EditorAction.Submit:
                    input.TryWrite(new ChatInput(ChatInputKind.Line, step.Line!));
                    break;
                case EditorAction.EndOfInput:
                    input.TryWrite(new ChatInput(ChatInputKind.End));
                    return;
                case EditorAction.Interrupt:
                    input.TryWrite(new ChatInput(ChatInputKind.Interrupt));
                    return;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock) Write(_editor.Erase(Columns()));
            Console.TreatControlCAsInput = _treatControlCAsInput;
        }

        base.Dispose(disposing);
    }

    private void Write(string text)
    {
        if (text.Length == 0) return;
        _terminal.Write(text);
        _terminal.Flush();
    }

    private static int Columns()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

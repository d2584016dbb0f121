using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OC.CliClient.Ui;

/// <summary>
/// The terminal as the full-screen client uses it: raw input (every key a byte sequence, Ctrl-C
/// included), the alternate screen, focus reporting (mode 1004) and bracketed paste (mode 2004).
/// <see cref="Dispose"/> puts everything back as it was, whatever happened in between: the
/// settings saved by tcgetattr are restored, the modes turned off, the cursor shown.
/// </summary>
/// <remarks>
/// termios is used through libc (tcgetattr, cfmakeraw, tcsetattr) rather than Console.ReadKey: .NET's
/// console reader would swallow the focus and paste sequences, and running stty would need a child
/// process on the terminal. The struct is passed as an opaque buffer larger than any libc's termios,
/// so its layout (which differs between architectures) never matters here.
/// </remarks>
internal sealed partial class RawTerminal : IDisposable
{
    /// <summary>Alternate screen, focus reporting, bracketed paste, cursor hidden, screen cleared.</summary>
    public const string EnterModes = "\e[?1049h\e[?1004h\e[?2004h\e[?25l\e[H\e[2J";

    /// <summary>Everything <see cref="EnterModes"/> turned on, off again (attributes reset, cursor shown, main screen back).</summary>
    public const string LeaveModes = "\e[0m\e[?2004l\e[?1004l\e[?25h\e[?1049l";

    private const int StdIn = 0;
    private const int StdOut = 1;
    private const int TcsaNow = 0;
    private const nuint TiocGWinSz = 0x5413; // Linux, x64 and arm64 alike.

    private readonly byte[] _saved = new byte[256];
    private readonly FileStream _out;
    private readonly Lock _writeLock = new();
    private bool _restored;

    private RawTerminal(FileStream output) => _out = output;

    /// <summary>Raw input and the full-screen modes; false (and nothing changed) when stdin is not a terminal.</summary>
    public static bool TryEnter(out RawTerminal terminal)
    {
        terminal = new RawTerminal(new FileStream(new SafeFileHandle(StdOut, ownsHandle: false), FileAccess.Write, 1));
        if (TcGetAttr(StdIn, terminal._saved) != 0)
        {
            terminal._restored = true;
            return false;
        }

        var raw = (byte[])terminal._saved.Clone();
        CfMakeRaw(raw);
        if (TcSetAttr(StdIn, TcsaNow, raw) != 0)
        {
            terminal._restored = true;
            return false;
        }

        terminal.Write(EnterModes);
        return true;
    }

    /// <summary>The terminal's size; 80×24 when it does not say.</summary>
    public static (int Width, int Height) Size()
    {
        var size = default(WinSize);
        if (IoCtl(StdOut, TiocGWinSz, ref size) == 0 && size.Columns > 0 && size.Rows > 0) return (size.Columns, size.Rows);
        return (80, 24);
    }

    /// <summary>A stream on stdin that reads raw bytes (blocking; read it on a thread of its own).</summary>
    public static Stream OpenInput() => new FileStream(new SafeFileHandle(StdIn, ownsHandle: false), FileAccess.Read, 1);

    /// <summary>Writes to the terminal (any thread; a frame is written whole).</summary>
    public void Write(string text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        lock (_writeLock)
        {
            if (_restored) return;
            _out.Write(bytes);
            _out.Flush();
        }
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_restored) return;
            try
            {
                _out.Write(System.Text.Encoding.UTF8.GetBytes(LeaveModes));
                _out.Flush();
            }
            catch (IOException)
            {
                // The terminal is gone (hung up): its settings are restored all the same.
            }

            _ = TcSetAttr(StdIn, TcsaNow, _saved);
            _restored = true;
        }

        _out.Dispose();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "tcgetattr")]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr")]
    private static partial int TcSetAttr(int fd, int actions, byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw([In, Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "ioctl")]
    private static partial int IoCtl(int fd, nuint request, ref WinSize size);
}

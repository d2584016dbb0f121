using System.Text;

namespace OC.CliClient.Ui;

internal enum KeyKind
{
    Char,
    Enter,
    AltEnter,
    Backspace,
    Delete,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Escape,
    F1,
    F2,
    F10,

    /// <summary>Ctrl and a letter: <see cref="Key.Letter"/> says which ('c' for Ctrl-C).</summary>
    Ctrl,

    /// <summary>Alt and a character (<see cref="Key.Text"/>).</summary>
    Alt,
    FocusIn,
    FocusOut,

    /// <summary>Text pasted as a whole (bracketed paste): <see cref="Key.Text"/>, line breaks included.</summary>
    Paste,
}

/// <summary>One key press (or a paste, or a focus change) read from the terminal.</summary>
internal readonly record struct Key(KeyKind Kind, string Text = "")
{
    public char Letter => Kind == KeyKind.Ctrl ? Text[0] : '\0';

    public static Key Char(string text) => new(KeyKind.Char, text);

    public static Key Ctrl(char letter) => new(KeyKind.Ctrl, letter.ToString());

    public override string ToString() => Kind switch
    {
        KeyKind.Char => Text,
        KeyKind.Ctrl => "Ctrl-" + char.ToUpperInvariant(Text[0]),
        KeyKind.Alt => "Alt-" + Text,
        _ => Kind.ToString(),
    };
}

/// <summary>
/// Turns the bytes a terminal sends in raw mode into <see cref="Key"/>s: UTF-8 text, control
/// characters, CSI and SS3 sequences (xterm, VT220, rxvt and tmux forms; modifiers are ignored),
/// focus reports (mode 1004) and bracketed pastes (mode 2004). Bytes may come split anywhere: an
/// incomplete sequence waits for the next <see cref="Feed"/>. An ESC with nothing after it in the
/// same read is the Escape key (terminals send a sequence in one write).
/// </summary>
internal sealed class KeyParser
{
    private const int MaxPaste = 1 << 20;
    private static readonly byte[] s_pasteEnd = "\e[201~"u8.ToArray();
    private readonly List<byte> _pending = [];
    private bool _inPaste;

    public List<Key> Feed(ReadOnlySpan<byte> bytes)
    {
        _pending.AddRange(bytes);
        var keys = new List<Key>();
        int i = 0;
        var data = _pending.ToArray();
        while (i < data.Length)
        {
            int used = _inPaste ? ReadPaste(data, i, keys) : ReadKey(data, i, keys);
            if (used == 0) break; // Incomplete: wait for more.
            i += used;
        }

        _pending.RemoveRange(0, i);
        return keys;
    }

    private int ReadPaste(byte[] data, int start, List<Key> keys)
    {
        int end = data.AsSpan(start).IndexOf(s_pasteEnd);
        if (end < 0)
        {
            if (data.Length - start <= MaxPaste) return 0;
            end = data.Length - start; // A paste without its end marker: take what came, as text.
            keys.Add(new Key(KeyKind.Paste, Encoding.UTF8.GetString(data, start, end)));
            return end;
        }

        keys.Add(new Key(KeyKind.Paste, Encoding.UTF8.GetString(data, start, end)));
        _inPaste = false;
        return end + s_pasteEnd.Length;
    }

    private int ReadKey(byte[] data, int i, List<Key> keys)
    {
        byte b = data[i];
        switch (b)
        {
            case 0x1b:
                return ReadEscape(data, i, keys);
            case (byte)'\r' or (byte)'\n':
                keys.Add(new Key(KeyKind.Enter));
                return 1;
            case 0x7f or 0x08:
                keys.Add(new Key(KeyKind.Backspace));
                return 1;
            case (byte)'\t':
                keys.Add(new Key(KeyKind.Tab));
                return 1;
            case < 0x20:
                if (b is >= 1 and <= 26) keys.Add(Key.Ctrl((char)('a' + b - 1)));
                return 1;
        }

        int length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        if (i + length > data.Length) return 0;
        keys.Add(Key.Char(Encoding.UTF8.GetString(data, i, length)));
        return length;
    }

    private int ReadEscape(byte[] data, int i, List<Key> keys)
    {
        if (i + 1 >= data.Length)
        {
            keys.Add(new Key(KeyKind.Escape));
            return 1;
        }

        byte next = data[i + 1];
        if (next == '[') return ReadCsi(data, i, keys);
        if (next == 'O')
        {
            if (i + 2 >= data.Length) return 0;
            keys.Add(CursorKey(data[i + 2]) is { } cursor ? new Key(cursor) : data[i + 2] switch
            {
                (byte)'P' => new Key(KeyKind.F1),
                (byte)'Q' => new Key(KeyKind.F2),
                (byte)'M' => new Key(KeyKind.Enter),
                _ => new Key(KeyKind.Escape),
            });
            return 3;
        }

        if (next is (byte)'\r' or (byte)'\n')
        {
            keys.Add(new Key(KeyKind.AltEnter));
            return 2;
        }

        if (next == 0x1b)
        {
            keys.Add(new Key(KeyKind.Escape));
            return 1;
        }

        if (next < 0x20 || next == 0x7f)
        {
            keys.Add(new Key(KeyKind.Escape));
            return 1;
        }

        // Alt and a character: ESC before its UTF-8 bytes.
        int length = next < 0x80 ? 1 : next >= 0xF0 ? 4 : next >= 0xE0 ? 3 : next >= 0xC0 ? 2 : 1;
        if (i + 1 + length > data.Length) return 0;
        keys.Add(new Key(KeyKind.Alt, Encoding.UTF8.GetString(data, i + 1, length)));
        return 1 + length;
    }

    /// <summary>The keys that end the same way after ESC O (SS3, application mode) and ESC [ (CSI).</summary>
    private static KeyKind? CursorKey(byte final) => final switch
    {
        (byte)'A' => KeyKind.Up,
        (byte)'B' => KeyKind.Down,
        (byte)'C' => KeyKind.Right,
        (byte)'D' => KeyKind.Left,
        (byte)'H' => KeyKind.Home,
        (byte)'F' => KeyKind.End,
        _ => null,
    };

    private int ReadCsi(byte[] data, int i, List<Key> keys)
    {
        int j = i + 2;
        while (j < data.Length && data[j] is >= 0x20 and < 0x40) j++;
        if (j >= data.Length) return j - i > 32 ? j - i : 0; // A runaway sequence is dropped.
        byte final = data[j];
        string parameters = Encoding.ASCII.GetString(data, i + 2, j - i - 2);
        string first = parameters.Split(';')[0];
        Key? key = CursorKey(final) is { } cursor ? new Key(cursor) : final switch
        {
            (byte)'Z' => new Key(KeyKind.BackTab),
            (byte)'I' => new Key(KeyKind.FocusIn),
            (byte)'O' => new Key(KeyKind.FocusOut),
            (byte)'P' when first == "1" => new Key(KeyKind.F1),
            (byte)'Q' when first == "1" => new Key(KeyKind.F2),
            (byte)'~' => first switch
            {
                "1" or "7" => new Key(KeyKind.Home),
                "4" or "8" => new Key(KeyKind.End),
                "3" => new Key(KeyKind.Delete),
                "5" => new Key(KeyKind.PageUp),
                "6" => new Key(KeyKind.PageDown),
                "11" => new Key(KeyKind.F1),
                "12" => new Key(KeyKind.F2),
                "21" => new Key(KeyKind.F10),
                _ => null,
            },
            _ => null,
        };
        if (final == '~' && first == "200")
        {
            _inPaste = true;
        }
        else if (key is { } k)
        {
            keys.Add(k);
        }

        return j - i + 1;
    }
}

using System.Globalization;
using System.Text;

namespace OC.CliClient.Terminal;

/// <summary>What a key did to the line being typed.</summary>
internal enum EditorAction
{
    None,

    /// <summary>Enter: <see cref="EditorStep.Line"/> is the line.</summary>
    Submit,

    /// <summary>Ctrl-D on an empty line.</summary>
    EndOfInput,

    /// <summary>Ctrl-C.</summary>
    Interrupt,
}

/// <summary>What to write to the terminal after a key, and what the key did.</summary>
internal readonly record struct EditorStep(EditorAction Action, string Output, string? Line = null);

/// <summary>
/// The input line of <c>oc chat</c>: a prompt and the text typed after it, as terminal output.
/// Lines printed while someone types (<see cref="PrintAbove"/>) erase the input area, print, and
/// draw the prompt and the typed text again below, so neither garbles the other. Pure: it turns
/// keys and lines into strings for the terminal, and the caller writes them under one lock.
/// </summary>
/// <remarks>
/// The cursor is always at the end of the text (no Left/Right). The input area may wrap over
/// several rows: erasing moves up as many rows as the prompt and text take at
/// <c>columns</c>, counting East Asian wide characters and emoji as two columns.
/// </remarks>
internal sealed class LineEditor(string prompt)
{
    private const string EraseBelow = "\u001b[J";
    private static readonly EditorStep s_nothing = new(EditorAction.None, "");
    private readonly StringBuilder _typed = new();

    public string Prompt { get; private set; } = prompt;

    public string Text => _typed.ToString();

    /// <summary>One key press; <paramref name="columns"/> is the terminal's width now.</summary>
    public EditorStep Key(ConsoleKeyInfo key, int columns)
    {
        char c = key.KeyChar;
        switch (c)
        {
            case '\r' or '\n':
                return Submit(columns);
            case '\u0003':
                return new EditorStep(EditorAction.Interrupt, Erase(columns));
            case '\u0004':
                return _typed.Length == 0 ? new EditorStep(EditorAction.EndOfInput, Erase(columns)) : s_nothing;
            case '\u0015': // Ctrl-U
                return Redraw(columns, () => _typed.Clear());
            case '\u000c': // Ctrl-L
                return new EditorStep(EditorAction.None, "\u001b[H\u001b[2J" + Draw());
            case '\b' or '\u007f':
                return Redraw(columns, RemoveLast);
        }

        switch (key.Key)
        {
            case ConsoleKey.Enter:
                return Submit(columns);
            case ConsoleKey.Backspace:
                return Redraw(columns, RemoveLast);
            case ConsoleKey.C when key.Modifiers.HasFlag(ConsoleModifiers.Control):
                return new EditorStep(EditorAction.Interrupt, Erase(columns));
        }

        // Arrows and function keys have no character; other control characters are not text.
        if (c == '\0' || char.IsControl(c)) return s_nothing;
        _typed.Append(c);

        // The first half of a surrogate pair waits for the second: written alone it would be garbage.
        if (char.IsHighSurrogate(c)) return s_nothing;
        return new EditorStep(EditorAction.None, char.IsLowSurrogate(c) && _typed.Length >= 2 ? _typed.ToString(_typed.Length - 2, 2) : c.ToString());
    }

    /// <summary>Prints <paramref name="text"/> (one or more lines) where the input line was, then the input line again below.</summary>
    public string PrintAbove(string text, int columns) =>
        Erase(columns) + text.ReplaceLineEndings("\r\n") + "\r\n" + Draw();

    /// <summary>A new prompt (another conversation), with the text typed so far kept.</summary>
    public string SetPrompt(string prompt, int columns)
    {
        string erase = Erase(columns);
        Prompt = prompt;
        return erase + Draw();
    }

    /// <summary>The prompt and the typed text, as they should stand on the terminal.</summary>
    public string Draw() => Prompt + Visible();

    /// <summary>Moves to the start of the input area and clears it and everything below.</summary>
    public string Erase(int columns)
    {
        int width = DisplayWidth(Draw());
        int up = columns > 0 && width > 0 ? (width - 1) / columns : 0;
        return "\r" + (up > 0 ? $"\u001b[{up.ToString(CultureInfo.InvariantCulture)}A" : "") + EraseBelow;
    }

    private EditorStep Submit(int columns)
    {
        string erase = Erase(columns);
        string line = _typed.ToString();
        _typed.Clear();
        return new EditorStep(EditorAction.Submit, erase + Draw(), line);
    }

    private EditorStep Redraw(int columns, Action change)
    {
        string erase = Erase(columns);
        change();
        return new EditorStep(EditorAction.None, erase + Draw());
    }

    private string Visible()
    {
        int length = _typed.Length;
        if (length > 0 && char.IsHighSurrogate(_typed[length - 1])) length--;
        return _typed.ToString(0, length);
    }

    // One text element (a letter with its accents, an emoji with its modifiers) at a time.
    private void RemoveLast()
    {
        string text = _typed.ToString();
        int last = 0;
        for (int at = 0; at < text.Length; at += StringInfo.GetNextTextElementLength(text, at)) last = at;
        _typed.Length = last;
    }

    /// <summary>Terminal columns taken by <paramref name="text"/>: 2 for wide (CJK, emoji), 0 for marks and controls.</summary>
    public static int DisplayWidth(string text)
    {
        int width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += RuneWidth(rune);
        }

        return width;
    }

    private static int RuneWidth(Rune rune)
    {
        int v = rune.Value;
        if (v < 0x20 || (v >= 0x7F && v < 0xA0)) return 0;
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) return 0;
        if (v is 0x200B or (>= 0xFE00 and <= 0xFE0F)) return 0;
        return IsWide(v) ? 2 : 1;
    }

    // East Asian Wide and Fullwidth blocks, and the emoji blocks that terminals draw two columns wide.
    private static bool IsWide(int v) =>
        v is (>= 0x1100 and <= 0x115F) or (>= 0x231A and <= 0x231B) or (>= 0x2329 and <= 0x232A)
            or (>= 0x23E9 and <= 0x23EC) or 0x23F0 or 0x23F3 or (>= 0x25FD and <= 0x25FE) or (>= 0x2614 and <= 0x2615)
            or (>= 0x2648 and <= 0x2653) or 0x267F or 0x2693 or 0x26A1 or (>= 0x26AA and <= 0x26AB) or (>= 0x26BD and <= 0x26BE)
            or (>= 0x26C4 and <= 0x26C5) or 0x26CE or 0x26D4 or 0x26EA or (>= 0x26F2 and <= 0x26F3) or 0x26F5 or 0x26FA or 0x26FD
            or 0x2705 or (>= 0x270A and <= 0x270B) or 0x2728 or 0x274C or 0x274E or (>= 0x2753 and <= 0x2755) or 0x2757
            or (>= 0x2795 and <= 0x2797) or 0x27B0 or 0x27BF or (>= 0x2B1B and <= 0x2B1C) or 0x2B50 or 0x2B55
            or (>= 0x2E80 and <= 0x303E) or (>= 0x3041 and <= 0x33FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF)
            or (>= 0xA000 and <= 0xA4CF) or (>= 0xA960 and <= 0xA97F) or (>= 0xAC00 and <= 0xD7A3) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0xFE10 and <= 0xFE19) or (>= 0xFE30 and <= 0xFE6F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6)
            or (>= 0x16FE0 and <= 0x18AFF) or (>= 0x1B000 and <= 0x1B2FF) or 0x1F004 or 0x1F0CF or 0x1F18E or (>= 0x1F191 and <= 0x1F19A)
            or (>= 0x1F200 and <= 0x1F251) or (>= 0x1F300 and <= 0x1F64F) or (>= 0x1F680 and <= 0x1F6FF) or (>= 0x1F7E0 and <= 0x1F7EB)
            or (>= 0x1F90C and <= 0x1F9FF) or (>= 0x1FA70 and <= 0x1FAFF) or (>= 0x20000 and <= 0x3FFFD);
}

using System.Text;

namespace OC.CliClient.Ui;

/// <summary>
/// The input line's text and cursor: editing (Emacs keys as in readline), the lines entered
/// before (Up on the first line, Down on the last), several lines (Alt-Enter puts a line break in) and pastes (inserted whole,
/// line breaks kept). Pure: the screen draws it with <see cref="View"/>.
/// </summary>
internal sealed class InputLine
{
    private const int MaxHistory = 200;
    private readonly List<string> _history = [];
    private StringBuilder _text = new();
    private int _cursor; // In chars, always at a rune boundary.
    private int _historyAt = -1; // -1: not browsing.
    private string _draft = "";

    public string Text => _text.ToString();

    public int Cursor => _cursor;

    public int LineCount => Text.Count(c => c == '\n') + 1;

    public bool IsEmpty => _text.Length == 0;

    /// <summary>Applies an editing key; false when the key is not one of the input's.</summary>
    public bool Handle(Key key)
    {
        switch (key.Kind)
        {
            case KeyKind.Char:
                Insert(key.Text);
                return true;
            case KeyKind.Paste:
                Insert(key.Text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'));
                return true;
            case KeyKind.AltEnter:
                Insert("\n");
                return true;
            case KeyKind.Backspace:
                if (_cursor > 0)
                {
                    int from = PreviousBoundary(_cursor);
                    _text.Remove(from, _cursor - from);
                    _cursor = from;
                }

                return true;
            case KeyKind.Delete:
                if (_cursor < _text.Length) _text.Remove(_cursor, NextBoundary(_cursor) - _cursor);
                return true;
            case KeyKind.Left:
                _cursor = PreviousBoundary(_cursor);
                return true;
            case KeyKind.Right:
                _cursor = NextBoundary(_cursor);
                return true;
            case KeyKind.Home:
                _cursor = LineStart(_cursor);
                return true;
            case KeyKind.End:
                _cursor = LineEnd(_cursor);
                return true;
            case KeyKind.Up when LineStart(_cursor) == 0:
                Browse(+1);
                return true;
            case KeyKind.Down when LineEnd(_cursor) == _text.Length:
                Browse(-1);
                return true;
            case KeyKind.Up:
                _cursor = LineStart(_cursor) == 0 ? _cursor : LineStart(LineStart(_cursor) - 1);
                return true;
            case KeyKind.Down:
                _cursor = LineEnd(_cursor) == _text.Length ? _cursor : LineEnd(_cursor) + 1;
                return true;
            case KeyKind.Ctrl:
                return Control(key.Letter);
            default:
                return false;
        }
    }

    /// <summary>The text entered (Enter): remembered for Up, and the line emptied.</summary>
    public string Take()
    {
        string text = Text;
        if (text.Length > 0 && (_history.Count == 0 || _history[^1] != text))
        {
            _history.Add(text);
            if (_history.Count > MaxHistory) _history.RemoveAt(0);
        }

        Set("");
        _historyAt = -1;
        return text;
    }

    public void Set(string text)
    {
        _text = new StringBuilder(text);
        _cursor = text.Length;
    }

    /// <summary>
    /// The rows to show in a box <paramref name="width"/> columns wide and <paramref name="rows"/>
    /// high (the rows around the cursor), and the cursor's column and row in it. Long lines scroll
    /// sideways to keep the cursor in view.
    /// </summary>
    public (List<string> Rows, int CursorColumn, int CursorRow) View(int width, int rows)
    {
        string[] lines = Text.Split('\n');
        int cursorLine = Text[.._cursor].Count(c => c == '\n');
        int lineStart = LineStart(_cursor);
        string before = Text[lineStart.._cursor];
        int first = Math.Max(0, Math.Min(cursorLine - rows + 1, lines.Length - rows));
        var shown = new List<string>();
        int cursorColumn = CellWidth.Of(before);
        for (int i = first; i < Math.Min(lines.Length, first + rows); i++)
        {
            string line = lines[i];
            if (i == cursorLine && cursorColumn >= width)
            {
                // Scroll: keep the last width-1 columns before the cursor.
                var tail = new StringBuilder();
                int w = 0;
                var runes = before.EnumerateRunes().Reverse().ToList();
                foreach (var r in runes)
                {
                    if (w + CellWidth.Of(r) > width - 1) break;
                    tail.Insert(0, r.ToString());
                    w += CellWidth.Of(r);
                }

                line = tail + Text[_cursor..LineEnd(_cursor)];
                cursorColumn = w;
            }

            shown.Add(line);
        }

        return (shown, cursorColumn, cursorLine - first);
    }

    private bool Control(char letter)
    {
        switch (letter)
        {
            case 'a':
                _cursor = LineStart(_cursor);
                return true;
            case 'e':
                _cursor = LineEnd(_cursor);
                return true;
            case 'b':
                _cursor = PreviousBoundary(_cursor);
                return true;
            case 'f':
                _cursor = NextBoundary(_cursor);
                return true;
            case 'u':
                _text.Remove(0, _cursor);
                _cursor = 0;
                return true;
            case 'w':
                int from = _cursor;
                while (from > 0 && _text[from - 1] == ' ') from--;
                while (from > 0 && _text[from - 1] != ' ' && _text[from - 1] != '\n') from--;
                _text.Remove(from, _cursor - from);
                _cursor = from;
                return true;
            default:
                return false;
        }
    }

    private void Insert(string text)
    {
        _text.Insert(_cursor, text);
        _cursor += text.Length;
    }

    private void Browse(int step)
    {
        if (_history.Count == 0) return;
        if (_historyAt == -1)
        {
            if (step < 0) return;
            _draft = Text;
            _historyAt = _history.Count;
        }

        int next = _historyAt - step;
        if (next >= _history.Count)
        {
            _historyAt = -1;
            Set(_draft);
            return;
        }

        _historyAt = Math.Max(0, next);
        Set(_history[_historyAt]);
    }

    private int PreviousBoundary(int at)
    {
        if (at <= 0) return 0;
        return at >= 2 && char.IsLowSurrogate(_text[at - 1]) && char.IsHighSurrogate(_text[at - 2]) ? at - 2 : at - 1;
    }

    private int NextBoundary(int at)
    {
        if (at >= _text.Length) return _text.Length;
        return at + 1 < _text.Length && char.IsHighSurrogate(_text[at]) && char.IsLowSurrogate(_text[at + 1]) ? at + 2 : at + 1;
    }

    private int LineStart(int at)
    {
        while (at > 0 && _text[at - 1] != '\n') at--;
        return at;
    }

    private int LineEnd(int at)
    {
        while (at < _text.Length && _text[at] != '\n') at++;
        return at;
    }
}

using System.Text;

namespace OC.CliClient.Ui;

/// <summary>How a cell looks: a colour (0 = the terminal's own) and attributes.</summary>
[Flags]
internal enum CellStyle : ushort
{
    Normal = 0,
    Bold = 1,
    Dim = 2,
    Reverse = 4,
    Underline = 8,

    // Foreground colours, in the bits above the attributes (ANSI 30 + n).
    Red = 1 << 8,
    Green = 2 << 8,
    Yellow = 3 << 8,
    Blue = 4 << 8,
    Magenta = 5 << 8,
    Cyan = 6 << 8,
    ColourMask = 7 << 8,
}

/// <summary>
/// One screen's worth of cells. Drawing writes text into it; <see cref="Renderer"/> sends only the
/// cells that differ from the frame before. A wide character takes its cell and an empty one
/// after it (<see cref="Continuation"/>); a combining mark joins the cell before it.
/// </summary>
internal sealed class CellBuffer
{
    /// <summary>The text of the cell right of a wide character.</summary>
    public const string Continuation = "";

    private readonly string[] _text;
    private readonly CellStyle[] _style;

    public CellBuffer(int width, int height)
    {
        Width = Math.Max(1, width);
        Height = Math.Max(1, height);
        _text = new string[Width * Height];
        _style = new CellStyle[Width * Height];
        Array.Fill(_text, " ");
    }

    public int Width { get; }

    public int Height { get; }

    public string TextAt(int x, int y) => _text[y * Width + x];

    public CellStyle StyleAt(int x, int y) => _style[y * Width + x];

    /// <summary>The row as plain text (continuation cells left out), for tests and the screen capture.</summary>
    public string Row(int y)
    {
        var row = new StringBuilder(Width);
        for (int x = 0; x < Width; x++) row.Append(TextAt(x, y));
        return row.ToString();
    }

    /// <summary>Fills a rectangle with spaces in <paramref name="style"/>.</summary>
    public void Clear(Rect area, CellStyle style = CellStyle.Normal)
    {
        for (int y = area.Y; y < area.Bottom && y < Height; y++)
        {
            for (int x = area.X; x < area.Right && x < Width; x++) Set(x, y, " ", style);
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> (one line, already sanitised) from (x, y), cut at
    /// <paramref name="maxColumns"/>; returns the columns used. A wide character that would not fit whole is left out.
    /// </summary>
    public int Put(int x, int y, string text, CellStyle style = CellStyle.Normal, int maxColumns = int.MaxValue)
    {
        if (y < 0 || y >= Height) return 0;
        int limit = (int)Math.Min(Width, (long)x + Math.Max(0, maxColumns));
        int column = x;
        foreach (var rune in text.EnumerateRunes())
        {
            int w = CellWidth.Of(rune);
            if (w == 0)
            {
                if (column > x && column - 1 < Width)
                {
                    int at = column - 1;
                    if (_text[y * Width + at] == Continuation && at > 0) at--;
                    _text[y * Width + at] += rune.ToString();
                }

                continue;
            }

            if (column + w > limit) break;
            Set(column, y, rune.ToString(), style);
            if (w == 2) Set(column + 1, y, Continuation, style);
            column += w;
        }

        return column - x;
    }

    /// <summary>Fills the rest of a row's span with spaces after text written by <see cref="Put"/>.</summary>
    public void PutPadded(int x, int y, string text, int columns, CellStyle style = CellStyle.Normal)
    {
        int used = Put(x, y, text, style, columns);
        for (int i = used; i < columns && x + i < Width; i++) Set(x + i, y, " ", style);
    }

    private void Set(int x, int y, string text, CellStyle style)
    {
        if (x < 0 || x >= Width || y < 0 || y >= Height) return;
        int i = y * Width + x;

        // Overwriting half of a wide character blanks its other half.
        if (_text[i] == Continuation && x > 0 && text != Continuation) _text[i - 1] = " ";
        else if (x + 1 < Width && _text[i + 1] == Continuation && text != Continuation && CellWidth.Of(text) < 2) _text[i + 1] = " ";
        _text[i] = text;
        _style[i] = style;
    }
}

/// <summary>A rectangle of cells.</summary>
internal readonly record struct Rect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;

    public int Bottom => Y + Height;

    public bool IsEmpty => Width <= 0 || Height <= 0;
}

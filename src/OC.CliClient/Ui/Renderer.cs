using System.Globalization;
using System.Text;

namespace OC.CliClient.Ui;

/// <summary>
/// Turns a <see cref="CellBuffer"/> into ANSI escapes: the whole screen the first time (and after
/// a resize), then only the cells that changed. Colours are left out under NO_COLOR
/// (https://no-color.org); bold, reverse and underline stay, since they are not colour.
/// </summary>
internal sealed class Renderer(bool colour)
{
    private CellBuffer? _shown;

    /// <summary>Forgets what is on the screen: the next frame is drawn whole (after a resize).</summary>
    public void Invalidate() => _shown = null;

    /// <summary>The escapes that bring the screen from the last frame to <paramref name="next"/>, the cursor left at <paramref name="cursor"/> (null: hidden).</summary>
    public string Frame(CellBuffer next, (int X, int Y)? cursor)
    {
        var output = new StringBuilder();
        output.Append("\e[?25l");
        var shown = _shown is { } s && s.Width == next.Width && s.Height == next.Height ? s : null;
        if (shown is null) output.Append("\e[0m\e[H\e[2J");
        CellStyle? current = null;
        for (int y = 0; y < next.Height; y++)
        {
            int expectedX = -1;
            for (int x = 0; x < next.Width; x++)
            {
                string text = next.TextAt(x, y);
                var style = next.StyleAt(x, y);
                if (shown is not null && shown.TextAt(x, y) == text && shown.StyleAt(x, y) == style) continue;
                if (text == CellBuffer.Continuation) continue; // Drawn by the wide character to its left.
                if (expectedX != x) output.Append(CultureInfo.InvariantCulture, $"\e[{y + 1};{x + 1}H");
                if (current != style)
                {
                    output.Append(Sgr(style));
                    current = style;
                }

                output.Append(text);
                expectedX = x + Math.Max(1, CellWidth.Of(text));
            }
        }

        output.Append("\e[0m");
        if (cursor is { } c) output.Append(CultureInfo.InvariantCulture, $"\e[{c.Y + 1};{c.X + 1}H\e[?25h");
        _shown = next;
        return output.ToString();
    }

    private string Sgr(CellStyle style)
    {
        var sgr = new StringBuilder("\e[0");
        if (style.HasFlag(CellStyle.Bold)) sgr.Append(";1");
        if (style.HasFlag(CellStyle.Dim)) sgr.Append(";2");
        if (style.HasFlag(CellStyle.Underline)) sgr.Append(";4");
        if (style.HasFlag(CellStyle.Reverse)) sgr.Append(";7");
        int colourIndex = ((int)(style & CellStyle.ColourMask)) >> 8;
        if (colour && colourIndex != 0) sgr.Append(';').Append(30 + colourIndex);
        return sgr.Append('m').ToString();
    }
}

using System.Globalization;
using System.Text;

namespace OC.CliClient.Ui;

/// <summary>
/// How many terminal columns a character takes: 2 for East Asian wide and fullwidth characters
/// and most emoji, 0 for combining marks and joiners, else 1. The ranges are those terminals
/// (xterm's wcwidth, VTE) agree on; rarer disagreements cost a misplaced column, not garbage,
/// because every row is drawn from its own left edge.
/// </summary>
internal static class CellWidth
{
    public static int Of(Rune rune)
    {
        int c = rune.Value;
        if (c < 0x300) return c < 0x20 ? 0 : 1;
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) return 0;
        if (c is 0x200B or 0x200C or 0x200D or 0xFE0F) return 0;
        return IsWide(c) ? 2 : 1;
    }

    /// <summary>The columns of a whole string.</summary>
    public static int Of(string text)
    {
        int width = 0;
        foreach (var rune in text.EnumerateRunes()) width += Of(rune);
        return width;
    }

    /// <summary>The longest start of <paramref name="text"/> that fits in <paramref name="columns"/>, with "…" when cut.</summary>
    public static string Fit(string text, int columns)
    {
        if (columns <= 0) return "";
        if (Of(text) <= columns) return text;
        var fitted = new StringBuilder();
        int width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            int w = Of(rune);
            if (width + w > columns - 1) break;
            fitted.Append(rune.ToString());
            width += w;
        }

        return fitted.Append('…').ToString();
    }

    private static bool IsWide(int c) =>
        c is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0x303E) or (>= 0x3041 and <= 0x33FF)
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xA000 and <= 0xA4CF)
            or (>= 0xAC00 and <= 0xD7A3) or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F)
            or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1F64F)
            or (>= 0x1F900 and <= 0x1F9FF) or (>= 0x1F680 and <= 0x1F6FF) or (>= 0x20000 and <= 0x3FFFD);
}

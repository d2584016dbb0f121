using System.Globalization;
using System.Text;

namespace OC.CliClient.Terminal;

/// <summary>
/// Mentions of the user in message text: <c>@nick</c> (any case) or <c>@NUMBER</c> (six digits),
/// as a word of its own: the <c>@</c> starts the text or follows something other than a letter or
/// digit (so "me@bob.example" mentions nobody), and the name ends the text or is followed by
/// something other than a letter, digit or <c>_</c> ("@bobby" does not mention bob; "@bob," does).
/// </summary>
/// <remarks>
/// <see cref="Highlight"/> works on text that was made safe already (<see cref="MessageLines.SafeText"/>)
/// and adds the only escape sequences oc prints around it; the highlight is ANSI bold and reverse
/// video, off again with SGR 0.
/// </remarks>
internal sealed class Mentions(string nick, uint number, bool style)
{
    public const string On = "\u001b[1;7m";
    public const string Off = "\u001b[0m";

    private readonly string _number = number.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>For text that never highlights (no terminal, NO_COLOR, --json): mentions are still found.</summary>
    public static Mentions Plain(string nick, uint number) => new(nick, number, style: false);

    /// <summary>Whether <see cref="Highlight"/> changes anything.</summary>
    public bool Styled => style;

    /// <summary>Whether <paramref name="text"/> mentions the user.</summary>
    public bool Names(string text) => Find(text).Count > 0;

    /// <summary>The mentions of the user in <paramref name="text"/>: where each starts (its @) and how long it is.</summary>
    public List<(int Start, int Length)> Find(string text)
    {
        var found = new List<(int, int)>();
        for (int at = text.IndexOf('@', StringComparison.Ordinal); at >= 0; at = text.IndexOf('@', at + 1))
        {
            if (at > 0 && IsNamePart(text, at - 1, before: true)) continue;
            int length = Match(text, at + 1, _number) ?? (nick.Length > 0 ? Match(text, at + 1, nick) : null) ?? 0;
            if (length > 0) found.Add((at, length + 1));
        }

        return found;
    }

    /// <summary><paramref name="safeText"/> with each mention of the user highlighted (unchanged without style).</summary>
    public string Highlight(string safeText)
    {
        if (!style) return safeText;
        var mentions = Find(safeText);
        if (mentions.Count == 0) return safeText;
        var result = new StringBuilder(safeText.Length + mentions.Count * (On.Length + Off.Length));
        int done = 0;
        foreach (var (start, length) in mentions)
        {
            result.Append(safeText, done, start - done).Append(On).Append(safeText, start, length).Append(Off);
            done = start + length;
        }

        return result.Append(safeText, done, safeText.Length - done).ToString();
    }

    // The length of name at text[start..] when it stands there as a whole word, else null.
    private static int? Match(string text, int start, string name)
    {
        if (start + name.Length > text.Length || string.Compare(text, start, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) != 0) return null;
        int end = start + name.Length;
        return end < text.Length && IsNamePart(text, end, before: false) ? null : name.Length;
    }

    private static bool IsNamePart(string text, int index, bool before)
    {
        // A surrogate pair is one letter: look at the whole rune around index.
        int at = before && index > 0 && char.IsLowSurrogate(text[index]) ? index - 1 : index;
        if (Rune.DecodeFromUtf16(text.AsSpan(at), out var rune, out _) != System.Buffers.OperationStatus.Done) return false;
        return Rune.IsLetterOrDigit(rune) || rune.Value == '_' || (!before && Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark);
    }
}

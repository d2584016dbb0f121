using System.Buffers;
using System.Text;

namespace OC.Protocol.Unicode;

/// <summary>
/// Unicode Normalization Form C (UAX #15) for short text such as nicknames, with no ICU.
/// </summary>
/// <remarks>
/// Every OC binary runs with InvariantGlobalization, where <see cref="string.Normalize()"/> leaves
/// non-ASCII text unchanged; so "é" typed as e + U+0301 and as U+00E9 would be two nicknames
/// that look the same. This is the textbook algorithm over tables generated from the Unicode
/// Character Database (<see cref="NfcTables"/>, tools/unicode/gen-nfc-tables.py): decompose fully,
/// put combining marks in canonical order, then compose. The tables are static data in the
/// binary; normalising allocates only the result (and nothing for text that is already ASCII).
/// </remarks>
public static class Nfc
{
    // Hangul syllables are composed and decomposed by arithmetic (Unicode §3.12).
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    /// <summary>The Unicode version of the tables.</summary>
    public static string UnicodeVersion => NfcTables.UnicodeVersion;

    /// <summary>
    /// <paramref name="text"/> in NFC. Unpaired surrogates pass through unchanged (callers that
    /// care refuse them first).
    /// </summary>
    public static string Normalize(string text)
    {
        if (Ascii.IsValid(text)) return text;

        int[]? rented = null;
        // Full decomposition can grow a code point into up to 4 (Unicode's stability guarantee
        // keeps it small; 4 × covers every canonical mapping, Hangul included).
        int capacity = text.Length * 4;
        Span<int> points = capacity <= 256 ? stackalloc int[256] : (rented = ArrayPool<int>.Shared.Rent(capacity));
        try
        {
            int count = Decompose(text, points);
            SortMarks(points[..count]);
            count = Compose(points[..count]);
            return ToString(points[..count]);
        }
        finally
        {
            if (rented != null) ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>The canonical combining class of <paramref name="codePoint"/> (0 for starters).</summary>
    public static int CombiningClass(int codePoint)
    {
        var ranges = NfcTables.CombiningClassRanges;
        int lo = 0, hi = ranges.Length / 3 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (codePoint < ranges[mid * 3]) hi = mid - 1;
            else if (codePoint > ranges[mid * 3 + 1]) lo = mid + 1;
            else return ranges[mid * 3 + 2];
        }

        return 0;
    }

    private static int Decompose(string text, Span<int> output)
    {
        int count = 0;
        for (int i = 0; i < text.Length;)
        {
            int codePoint;
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int used) == OperationStatus.Done) codePoint = rune.Value;
            else
            {
                codePoint = text[i];
                used = 1;
            }

            i += used;
            count = Append(codePoint, output, count);
        }

        return count;
    }

    private static int Append(int codePoint, Span<int> output, int count)
    {
        int s = codePoint - SBase;
        if ((uint)s < SCount)
        {
            output[count++] = LBase + s / NCount;
            output[count++] = VBase + s % NCount / TCount;
            if (s % TCount != 0) output[count++] = TBase + s % TCount;
            return count;
        }

        if (TryFindDecomposition(codePoint, out int first, out int second))
        {
            count = Append(first, output, count);
            return second == 0 ? count : Append(second, output, count);
        }

        output[count++] = codePoint;
        return count;
    }

    private static bool TryFindDecomposition(int codePoint, out int first, out int second)
    {
        var table = NfcTables.Decompositions;
        int lo = 0, hi = table.Length / 3 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int found = table[mid * 3];
            if (codePoint < found) hi = mid - 1;
            else if (codePoint > found) lo = mid + 1;
            else
            {
                first = table[mid * 3 + 1];
                second = table[mid * 3 + 2];
                return true;
            }
        }

        first = second = 0;
        return false;
    }

    /// <summary>Canonical ordering: a stable sort of each run of non-starters by combining class.</summary>
    private static void SortMarks(Span<int> points)
    {
        // Insertion sort: runs of marks are a handful long, and it is stable.
        for (int i = 1; i < points.Length; i++)
        {
            int ccc = CombiningClass(points[i]);
            if (ccc == 0) continue;
            int point = points[i];
            int j = i - 1;
            while (j >= 0 && CombiningClass(points[j]) > ccc)
            {
                points[j + 1] = points[j];
                j--;
            }

            points[j + 1] = point;
        }
    }

    /// <summary>The canonical composition algorithm (UAX #15 §1.3, D117); returns the new length.</summary>
    private static int Compose(Span<int> points)
    {
        if (points.IsEmpty) return 0;
        int starter = 0;
        // The class of the last character kept since the starter: 0 right after it; 256 when the
        // text begins with a non-starter, which nothing may compose with.
        int lastClass = CombiningClass(points[0]) == 0 ? 0 : 256;
        int write = 1;
        for (int read = 1; read < points.Length; read++)
        {
            int point = points[read];
            int ccc = CombiningClass(point);
            // Not blocked: nothing kept between the starter and this one, or everything kept there
            // has a lower class than this one (so it can be reordered past them).
            if ((lastClass == 0 || lastClass < ccc) && TryCompose(points[starter], point, out int composite))
            {
                points[starter] = composite;
                continue;
            }

            if (ccc == 0) starter = write;
            lastClass = ccc;
            points[write++] = point;
        }

        return write;
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        int l = first - LBase, v = second - VBase;
        if ((uint)l < LCount && (uint)v < VCount)
        {
            composite = SBase + (l * VCount + v) * TCount;
            return true;
        }

        int s = first - SBase, t = second - TBase;
        if ((uint)s < SCount && s % TCount == 0 && t > 0 && t < TCount)
        {
            composite = first + t;
            return true;
        }

        var keys = NfcTables.CompositeKeys;
        long key = ((long)first << 21) | (uint)second;
        int lo = 0, hi = keys.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (key < keys[mid]) hi = mid - 1;
            else if (key > keys[mid]) lo = mid + 1;
            else
            {
                composite = NfcTables.CompositeResults[mid];
                return true;
            }
        }

        composite = 0;
        return false;
    }

    private static string ToString(ReadOnlySpan<int> points)
    {
        var builder = new StringBuilder(points.Length);
        foreach (int point in points)
        {
            if (Rune.IsValid(point)) builder.Append(new Rune(point).ToString());
            else builder.Append((char)point); // an unpaired surrogate, passed through
        }

        return builder.ToString();
    }
}

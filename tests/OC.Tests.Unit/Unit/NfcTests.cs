using System.Globalization;
using OC.Protocol.Unicode;

namespace OC.Tests.Unit;

/// <summary>
/// OC's NFC against CPython's: Vectors/nfc-vectors.txt holds every code point with a canonical
/// decomposition (composed and decomposed), every combining mark after a base letter, Hangul, and
/// random runs of starters and marks in any order, each with CPython's NFC of the same Unicode
/// version (tools/unicode/gen-nfc-tables.py writes both the tables and the vectors).
/// </summary>
public class NfcTests
{
    private static readonly string VectorsPath = Path.Combine(AppContext.BaseDirectory, "Unit", "Vectors", "nfc-vectors.txt");

    [Fact]
    public void Every_vector_normalises_as_cpython_does()
    {
        var failures = new List<string>();
        int count = 0;
        foreach (string line in File.ReadLines(VectorsPath))
        {
            if (line.StartsWith('#')) continue;
            string[] parts = line.Split(';');
            string source = FromCodePoints(parts[0]), expected = FromCodePoints(parts[1]);
            string actual = Nfc.Normalize(source);
            if (actual != expected && failures.Count < 10) failures.Add($"{parts[0]} → {CodePoints(actual)}, expected {parts[1]}");
            count++;
        }

        Assert.True(count > 9000, $"only {count} vectors read from {VectorsPath}");
        Assert.Empty(failures);
    }

    [Fact]
    public void Ascii_comes_back_as_the_same_string()
    {
        const string ascii = "alice 42";
        Assert.Same(ascii, Nfc.Normalize(ascii));
    }

    [Fact]
    public void An_unpaired_surrogate_passes_through()
    {
        Assert.Equal("a\uD800e\u0301".Replace("e\u0301", "\u00e9"), Nfc.Normalize("a\uD800e\u0301"));
    }

    [Fact]
    public void Long_text_beyond_the_stack_buffer_normalises()
    {
        string decomposed = string.Concat(Enumerable.Repeat("e\u0301", 500));
        Assert.Equal(new string('\u00e9', 500), Nfc.Normalize(decomposed));
    }

    [Theory]
    [InlineData(0x0041, 0)]
    [InlineData(0x0301, 230)]
    [InlineData(0x0328, 202)]
    [InlineData(0x05B0, 10)]
    public void Combining_classes_come_from_the_tables(int codePoint, int expected) =>
        Assert.Equal(expected, Nfc.CombiningClass(codePoint));

    private static string FromCodePoints(string hex) =>
        string.Concat(hex.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => CharOrSurrogate(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));

    private static string CharOrSurrogate(int codePoint) => codePoint is >= 0xD800 and <= 0xDFFF ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint);

    private static string CodePoints(string text) => string.Join(' ', text.EnumerateRunes().Select(r => r.Value.ToString("X", CultureInfo.InvariantCulture)));
}

using System.Text;
using OC.Protocol;

namespace OC.Tests.Unit;

public class TextRulesTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("Zoë Ødegård")]
    [InlineData("李小龙")]
    [InlineData("🦊 fox")]
    [InlineData("👍🏽")]
    [InlineData("חנה")] // Right-to-left text is fine; only the controls that reorder it are not.
    public void Plain_nicknames_and_emoji_pass_unchanged(string nick)
    {
        Assert.True(TextRules.TryValidateNick(nick, out string normalized, out string error), error);
        Assert.Equal(nick, normalized);
        Assert.Equal("", error);
    }

    [Fact]
    public void A_nickname_is_trimmed()
    {
        Assert.True(TextRules.TryValidateNick("  alice\t", out string valid, out _));
        Assert.Equal("alice", valid);
    }

    [Theory]
    [InlineData("Rene\u0301e", "Ren\u00e9e")] // e + combining acute → é
    [InlineData("\u212B", "\u00C5")] // ANGSTROM SIGN, a singleton → Å
    [InlineData("\u1100\u1161\u11A8", "\uAC01")] // Hangul jamo → 각
    [InlineData("a\u0328\u0301", "\u0105\u0301")] // ogonek (202) before acute (230): ą + ́
    [InlineData("a\u0301\u0328", "\u0105\u0301")] // the same marks in the other order: one nickname
    public void A_nickname_is_normalised_to_nfc(string typed, string stored)
    {
        Assert.True(TextRules.TryValidateNick(typed, out string valid, out string error), error);
        Assert.Equal(stored, valid);
    }

    [Fact]
    public void Thirty_two_decomposed_characters_fit_because_the_limit_applies_after_normalising()
    {
        string decomposed = string.Concat(Enumerable.Repeat("e\u0301", ProtocolLimits.MaxNickChars));
        Assert.True(TextRules.TryValidateNick(decomposed, out string valid, out string error), error);
        Assert.Equal(new string('\u00e9', ProtocolLimits.MaxNickChars), valid);
    }

    /// <summary>
    /// Why OC carries its own NFC: with InvariantGlobalization on (every OC binary), .NET leaves a
    /// decomposed "é" as it is. If this starts failing, .NET normalises by itself and
    /// OC.Protocol.Unicode.Nfc could go.
    /// </summary>
    [Fact]
    public void The_runtime_does_not_normalise_under_invariant_globalization()
    {
        Assert.True(AppContext.TryGetSwitch("System.Globalization.Invariant", out bool invariant) && invariant);
        Assert.Equal("e\u0301", "e\u0301".Normalize(NormalizationForm.FormC));
    }

    [Theory]
    [InlineData(0x202A)] [InlineData(0x202B)] [InlineData(0x202C)] [InlineData(0x202D)] [InlineData(0x202E)]
    [InlineData(0x2066)] [InlineData(0x2067)] [InlineData(0x2068)] [InlineData(0x2069)]
    [InlineData(0x200E)] [InlineData(0x200F)] [InlineData(0x061C)]
    public void Bidi_controls_are_refused_and_named(int codePoint)
    {
        string nick = char.ConvertFromUtf32(codePoint) + "gnp.exe";
        Assert.False(TextRules.TryValidateNick(nick, out string normalized, out string error));
        Assert.Equal("", normalized);
        Assert.Equal($"the nickname contains a bidirectional control character, U+{codePoint:X4}", error);
    }

    [Theory]
    [InlineData(0x200B)] [InlineData(0x200C)] [InlineData(0x200D)] [InlineData(0x2060)] [InlineData(0xFEFF)]
    [InlineData(0x00AD)] [InlineData(0xE0041)]
    public void Zero_width_and_other_format_characters_are_refused_and_named(int codePoint)
    {
        Assert.False(TextRules.TryValidateNick("al" + char.ConvertFromUtf32(codePoint) + "ice", out _, out string error));
        Assert.Equal($"the nickname contains an invisible formatting character, {TextRules.CodePoint(codePoint)}", error);
    }

    [Theory]
    [InlineData("a\u001b[31mb", "a control character, U+001B")]
    [InlineData("a\u0085b", "a control character, U+0085")]
    [InlineData("a\nb", "a control character, U+000A")]
    [InlineData("a\u2028b", "a line separator, U+2028")]
    public void Control_characters_separators_and_broken_text_are_refused(string nick, string what)
    {
        Assert.False(TextRules.TryValidateNick(nick, out _, out string error));
        Assert.Equal("the nickname contains " + what, error);
    }

    [Theory]
    [InlineData("", "the nickname is empty")]
    [InlineData(" \t ", "the nickname is empty")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", "the nickname is longer than 32 characters")]
    public void Empty_and_long_nicknames_are_refused(string nick, string expected)
    {
        Assert.False(TextRules.TryValidateNick(nick, out _, out string error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void An_unpaired_surrogate_is_refused()
    {
        Assert.False(TextRules.TryValidateNick("a\uD800b", out _, out string error));
        Assert.Equal("the nickname contains an unpaired surrogate, U+D800", error);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData(" ", true)]
    [InlineData(" \t\r\n\u00A0\u3000\u2028", true)]
    [InlineData(" x ", false)]
    [InlineData("\u200B", false)] // Not whitespace to char.IsWhiteSpace; oc shows it as <U+200B>.
    [InlineData("🦊", false)]
    public void Blank_text_is_empty_or_only_whitespace(string text, bool blank)
    {
        Assert.Equal(blank, TextRules.IsBlank(text));
        Assert.Equal(blank, TextRules.IsBlankUtf8(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Invalid_utf8_is_not_blank()
    {
        Assert.False(TextRules.IsBlankUtf8([0x20, 0xFF]));
    }

    [Theory]
    [InlineData(0x202E, "U+202E")]
    [InlineData(0x1B, "U+001B")]
    [InlineData(0xE0041, "U+E0041")]
    public void Code_points_print_in_upper_case_hex_with_at_least_four_digits(int codePoint, string expected)
    {
        Assert.Equal(expected, TextRules.CodePoint(codePoint));
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using OC.Protocol.Unicode;

namespace OC.Protocol;

/// <summary>
/// What text the appliance accepts, shared by the appliance (which decides) and <c>oc</c> (which
/// checks first, so a refusal needs no round trip). docs/protocol.md, "REGISTER" and "SEND".
/// </summary>
/// <remarks>
/// A nickname is shown to others as who someone is, so it must look like what it is: a
/// right-to-left override (U+202E) turns "‮gnp.exe" into "exe.png", and a zero-width space makes
/// two nicknames that look the same differ. Messages keep what the sender typed; only an empty or
/// blank one is refused. Showing such characters safely is <c>oc</c>'s job (MessageLines.Visible).
/// </remarks>
public static class TextRules
{
    /// <summary>The error for a SEND whose text is empty or only whitespace; <c>oc</c> uses the same words.</summary>
    public const string EmptyMessage = "the message is empty";

    /// <summary>
    /// Trims <paramref name="nick"/> and normalises it to NFC (the form stored), then checks it: 1..MaxNickChars characters,
    /// no control characters, line or paragraph separators, unpaired surrogates, or format
    /// characters (bidi overrides, embeddings, isolates and marks; zero-width spaces and joiners;
    /// U+FEFF; every other <see cref="UnicodeCategory.Format"/> character). <paramref name="error"/>
    /// is one line that names the character, e.g. "the nickname contains a bidirectional control
    /// character, U+202E".
    /// </summary>
    /// <remarks>
    /// Normalised to NFC (<see cref="Nfc"/>, our own tables: with InvariantGlobalization on, .NET
    /// has none), so "é" typed as e + U+0301 and as U+00E9 are one nickname. The length is checked
    /// after normalising, on what is stored.
    /// </remarks>
    public static bool TryValidateNick(string nick, out string valid, out string error)
    {
        valid = "";
        string trimmed = Nfc.Normalize(nick.Trim());
        if (trimmed.Length == 0) return Fail("the nickname is empty", out error);

        if (FirstForbidden(trimmed) is { } bad) return Fail($"the nickname contains {Describe(bad)}, {CodePoint(bad)}", out error);

        if (trimmed.Length > ProtocolLimits.MaxNickChars)
            return Fail($"the nickname is longer than {ProtocolLimits.MaxNickChars} characters", out error);

        valid = trimmed;
        error = "";
        return true;
    }

    /// <summary>
    /// A room name (ROOM_CREATE): the rules of a nickname (trimmed, NFC, 1..32 characters, no
    /// control, format or bidi characters), with errors that say "room name".
    /// </summary>
    public static bool TryValidateRoomName(string name, out string valid, out string error)
    {
        bool ok = TryValidateNick(name, out valid, out error);
        error = error.Replace("the nickname", "the room name", StringComparison.Ordinal);
        return ok;
    }

    /// <summary>
    /// A device name for LOGIN_START (docs/protocol.md, "Sessions and passwords"): trimmed, at most
    /// 64 bytes of UTF-8, none of the characters a nickname may not hold; empty is allowed (no name).
    /// </summary>
    public static bool TryValidateDevice(string device, out string valid, out string error)
    {
        valid = "";
        string trimmed = device.Trim();
        if (FirstForbidden(trimmed) is { } bad) return Fail($"the device name contains {Describe(bad)}, {CodePoint(bad)}", out error);
        if (Encoding.UTF8.GetByteCount(trimmed) > ProtocolLimits.MaxDeviceBytes)
            return Fail($"the device name is longer than {ProtocolLimits.MaxDeviceBytes} bytes", out error);
        valid = trimmed;
        error = "";
        return true;
    }

    /// <summary>True if <paramref name="text"/> is empty or only whitespace (<see cref="char.IsWhiteSpace(char)"/>).</summary>
    public static bool IsBlank(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsWhiteSpace(c)) return false;
        }

        return true;
    }

    /// <summary>
    /// <see cref="IsBlank"/> over UTF-8 as SEND carries it, without decoding to a string (the hot
    /// path). Invalid UTF-8 is not blank: it decodes to U+FFFD.
    /// </summary>
    public static bool IsBlankUtf8(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out var rune, out int used) != OperationStatus.Done || !Rune.IsWhiteSpace(rune)) return false;
            utf8 = utf8[used..];
        }

        return true;
    }

    /// <summary>
    /// True for a character that changes how text around it is shown without showing itself:
    /// <see cref="UnicodeCategory.Format"/> (bidi controls U+202A–U+202E, U+2066–U+2069, U+200E,
    /// U+200F, U+061C; U+200B–U+200D, U+2060, U+FEFF, ...).
    /// </summary>
    public static bool IsFormat(Rune rune) => Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format;

    /// <summary>True for the bidi controls: overrides, embeddings, isolates and marks.</summary>
    public static bool IsBidiControl(int codePoint) =>
        codePoint is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069) or 0x200E or 0x200F or 0x061C;

    /// <summary><c>U+202E</c>: upper-case hex, at least four digits.</summary>
    public static string CodePoint(int codePoint) => "U+" + codePoint.ToString("X4", CultureInfo.InvariantCulture);

    /// <summary>The first code point a nickname may not hold (an unpaired surrogate as itself), or null.</summary>
    private static int? FirstForbidden(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int used) != OperationStatus.Done) return text[i];
            if (Rune.IsControl(rune) || IsFormat(rune) || rune.Value is 0x2028 or 0x2029) return rune.Value;
            i += used;
        }

        return null;
    }

    private static string Describe(int codePoint) => codePoint switch
    {
        >= 0xD800 and <= 0xDFFF => "an unpaired surrogate",
        0x2028 or 0x2029 => "a line separator",
        _ when IsBidiControl(codePoint) => "a bidirectional control character",
        _ when Rune.IsControl(new Rune(codePoint)) => "a control character",
        _ => "an invisible formatting character",
    };

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}

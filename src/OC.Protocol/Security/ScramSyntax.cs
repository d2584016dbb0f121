using System.Security.Cryptography;
using System.Text;

namespace OC.Protocol.Security;

/// <summary>
/// The lexical pieces of RFC 5802 §7 that client and server share. Every message is a
/// comma-separated list of <c>letter=value</c> attributes in a fixed order; no value may
/// contain ',' (names escape it, nonces and base64 cannot hold it), so splitting on ','
/// is exact once the GS2 header has been taken off.
/// </summary>
internal static class ScramSyntax
{
    /// <summary>Longest message either side accepts, in UTF-16 code units.</summary>
    internal const int MaxMessageLength = 1024;

    /// <summary>
    /// Longest nonce part accepted from a peer. Keeps the server-first message, which
    /// echoes the client nonce, well under <see cref="MaxMessageLength"/>.
    /// </summary>
    internal const int MaxNonceLength = 256;

    /// <summary>The GS2 header without channel binding and without authzid (RFC 5802 §7): plaintext connections.</summary>
    internal const string Gs2Header = "n,,";

    /// <summary>The GS2 header of SCRAM-SHA-256-PLUS over TLS (RFC 5802 §6, RFC 5929 §4): no authzid.</summary>
    internal const string PlusGs2Header = "p=" + ChannelBinding.TlsServerEndPointName + ",,";

    /// <summary>
    /// The c= attribute value (RFC 5802 §7 channel-binding): base64 of the GS2 header followed by
    /// the channel-binding data, which only a "p=" header has ("biws" for "n,,", "eSws" for "y,,").
    /// </summary>
    internal static string ChannelBindingAttribute(string gs2Header, ReadOnlySpan<byte> channelBinding)
    {
        var input = new byte[Encoding.ASCII.GetByteCount(gs2Header) + channelBinding.Length];
        int written = Encoding.ASCII.GetBytes(gs2Header, input);
        channelBinding.CopyTo(input.AsSpan(written));
        return Convert.ToBase64String(input);
    }

    /// <summary>
    /// Checks channel-binding data handed in by our own code (the TLS layer, never the peer):
    /// null means none; an empty or oversized array is a bug on our side.
    /// </summary>
    internal static void CheckChannelBinding(byte[]? channelBinding, string paramName)
    {
        if (channelBinding is { Length: 0 or > ChannelBinding.MaxLength })
        {
            throw new ArgumentException($"Channel-binding data must be 1 to {ChannelBinding.MaxLength} bytes (a certificate's hash).", paramName);
        }
    }

    // 18 random bytes encode to 24 base64 characters with no padding.
    private const int NonceBytes = 18;

    internal static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(NonceBytes));

    /// <summary>printable = %x21-2B / %x2D-7E, i.e. visible ASCII without ','.</summary>
    internal static bool IsValidNonce(ReadOnlySpan<char> nonce)
    {
        if (nonce.IsEmpty)
        {
            return false;
        }

        foreach (var c in nonce)
        {
            if (c is < '\x21' or > '\x7E' or ',')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Escapes a username as saslname: ',' becomes "=2C" and '=' becomes "=3D" (RFC 5802 §5.1).</summary>
    internal static string EscapeName(string name) => name.Replace("=", "=3D", StringComparison.Ordinal)
        .Replace(",", "=2C", StringComparison.Ordinal);

    /// <summary>
    /// Reverses <see cref="EscapeName"/>. RFC 5802 §5.1: a '=' not followed by "2C" or
    /// "3D" MUST fail authentication. Control characters are refused as well since no
    /// prepared name contains them.
    /// </summary>
    internal static bool TryUnescapeName(string escaped, out string name)
    {
        name = string.Empty;
        var result = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c == '=')
            {
                var code = escaped.AsSpan(i + 1, Math.Min(2, escaped.Length - i - 1));
                if (code.SequenceEqual("2C"))
                {
                    result.Append(',');
                }
                else if (code.SequenceEqual("3D"))
                {
                    result.Append('=');
                }
                else
                {
                    return false;
                }

                i += 2;
            }
            else if (char.IsControl(c))
            {
                return false;
            }
            else
            {
                result.Append(c);
            }
        }

        name = result.ToString();
        return name.Length > 0;
    }

    /// <summary>
    /// Splits the attributes of a message, requiring each to be <c>letter=value</c> with a
    /// non-empty value (RFC 5802 §7 attr-val). A trailing or doubled ',' yields an empty
    /// element and so fails.
    /// </summary>
    internal static bool TrySplit(string message, out string[] attributes)
    {
        attributes = message.Split(',');
        foreach (var attribute in attributes)
        {
            if (attribute.Length < 3 || !char.IsAsciiLetter(attribute[0]) || attribute[1] != '=')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value of <paramref name="attribute"/> if its name is <paramref name="name"/>.</summary>
    internal static bool TryGetValue(string attribute, char name, out string value)
    {
        var matches = attribute[0] == name;
        value = matches ? attribute[2..] : string.Empty;
        return matches;
    }

    /// <summary>
    /// Extensions (RFC 5802 §7 "extensions") are allowed only where the grammar puts them,
    /// are ignored when unknown, and may not reuse a letter the RFC assigns: otherwise a
    /// second "r=" or "p=" could slip through as an "extension".
    /// </summary>
    internal static bool AreValidExtensions(ReadOnlySpan<string> attributes)
    {
        foreach (var attribute in attributes)
        {
            if ("acemnprsvi".Contains(attribute[0], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Decodes standard base64 strictly: alphabet, padding and length only. Unlike
    /// <see cref="Convert.TryFromBase64String"/> alone, whitespace is refused.
    /// </summary>
    internal static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 != 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '/' or '='))
            {
                return false;
            }
        }

        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || written == 0)
        {
            return false;
        }

        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    /// <summary>posit-number = %x31-39 *DIGIT (RFC 5802 §7): no sign, no leading zero.</summary>
    internal static bool TryParsePositive(string text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 10 || text[0] is < '1' or > '9')
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}

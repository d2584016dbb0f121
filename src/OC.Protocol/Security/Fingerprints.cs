using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace OC.Protocol.Security;

/// <summary>
/// Certificate fingerprints as OC shows them: <c>SHA256:</c> and the unpadded base64 of the
/// SHA-256 of the DER certificate, the form OpenSSH uses for keys (43 characters that fit a
/// terminal line and an mDNS TXT string). Parsing also takes the hex forms other tools print
/// (<c>openssl x509 -fingerprint -sha256</c>: colon-separated, any case).
/// </summary>
public static class Fingerprints
{
    public const string Prefix = "SHA256:";

    public static string Of(ReadOnlySpan<byte> certificateDer) => Format(SHA256.HashData(certificateDer));

    public static string Format(ReadOnlySpan<byte> sha256) => Prefix + Convert.ToBase64String(sha256).TrimEnd('=');

    /// <summary>Reads a fingerprint typed by a person or a script into the canonical form; false when it is none.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out string? fingerprint)
    {
        fingerprint = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return false;
        byte[]? hash = null;
        if (text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            string b64 = text[Prefix.Length..];
            if (b64.Length == 43)
            {
                try { hash = Convert.FromBase64String(b64 + "="); }
                catch (FormatException) { return false; }
            }
        }
        else
        {
            string hex = text.Replace(":", "", StringComparison.Ordinal);
            if (hex.Length == 64)
            {
                try { hash = Convert.FromHexString(hex); }
                catch (FormatException) { return false; }
            }
        }
        if (hash is not { Length: 32 }) return false;
        fingerprint = Format(hash);
        return true;
    }

    /// <summary>Equal fingerprints in canonical form, compared without leaking where they differ.</summary>
    public static bool AreEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}

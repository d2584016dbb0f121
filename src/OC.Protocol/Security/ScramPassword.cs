using System.Text;

namespace OC.Protocol.Security;

/// <summary>
/// The password preparation both ends of OC agree on: a documented subset of SASLprep
/// (RFC 4013), which RFC 5802 §2.2 asks for.
/// </summary>
/// <remarks>
/// What we do: map the non-ASCII spaces of RFC 3454 table C.1.2 to U+0020, drop the
/// "commonly mapped to nothing" characters of table B.1, and reject control characters,
/// unpaired surrogates and empty passwords.
///
/// What we do not do: NFKC. Every OC project builds with InvariantGlobalization=true, and
/// in that mode <see cref="string.Normalize(NormalizationForm)"/> returns its input
/// unchanged on every platform (the runtime has no normalisation data; see the .NET
/// "globalization invariant mode" design doc). Calling it would look like normalisation
/// while doing nothing, and would silently change the derived keys of existing users the
/// day a client is built without invariant mode. The key derivation must be a pure
/// function of the typed text, so we leave NFKC out on purpose: "ä" typed precomposed
/// (U+00E4) and decomposed (U+0061 U+0308) are different passwords. Adding NFKC later
/// needs our own tables and a migration for non-NFKC-stable passwords.
/// The tables below are fixed by RFC 3454 and do not move with Unicode versions.
/// </remarks>
internal static class ScramPassword
{
    /// <summary>Returns the prepared password, or throws <see cref="ArgumentException"/>.</summary>
    internal static string Prepare(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var prepared = new StringBuilder(password.Length);
        for (var i = 0; i < password.Length; i++)
        {
            var c = password[i];
            if (char.IsHighSurrogate(c) && i + 1 < password.Length && char.IsLowSurrogate(password[i + 1]))
            {
                prepared.Append(c).Append(password[++i]);
                continue;
            }

            if (char.IsSurrogate(c))
            {
                throw new ArgumentException("The password contains an unpaired surrogate.", nameof(password));
            }

            // B.1 is checked first so that U+200B, listed in both tables, is dropped (as
            // other SASLprep implementations do) rather than turned into a space.
            if (IsMappedToNothing(c))
            {
                continue;
            }

            if (IsNonAsciiSpace(c))
            {
                prepared.Append(' ');
                continue;
            }

            if (char.IsControl(c))
            {
                throw new ArgumentException("The password contains a control character.", nameof(password));
            }

            prepared.Append(c);
        }

        if (prepared.Length == 0)
        {
            throw new ArgumentException("The password is empty.", nameof(password));
        }

        return prepared.ToString();
    }

    // RFC 3454 table B.1.
    private static bool IsMappedToNothing(char c) => c switch
    {
        '\u00AD' or '\u034F' or '\u1806' or '\u180B' or '\u180C' or '\u180D' => true,
        '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' => true,
        >= '\uFE00' and <= '\uFE0F' => true,
        _ => false,
    };

    // RFC 3454 table C.1.2.
    private static bool IsNonAsciiSpace(char c) => c switch
    {
        '\u00A0' or '\u1680' or '\u202F' or '\u205F' or '\u3000' => true,
        >= '\u2000' and <= '\u200B' => true,
        _ => false,
    };
}

using System.Security.Cryptography;

namespace OC.Appliance.Storage;

/// <summary>
/// The database keeps only a hash of each session token, so a copy of the data file does not
/// let anyone log in. Tokens are random (not guessable), so a plain unsalted SHA-256 suffices.
/// </summary>
internal static class SessionTokens
{
    /// <summary>Lowercase hex SHA-256 of <paramref name="token"/>: the session's _id.</summary>
    internal static string Hash(ReadOnlySpan<byte> token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(token, hash);
        return Convert.ToHexStringLower(hash);
    }
}

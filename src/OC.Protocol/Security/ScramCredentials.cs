using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace OC.Protocol.Security;

/// <summary>
/// What the appliance stores for a user instead of a password (RFC 5802 §3): the salt and
/// iteration count the client derives with, StoredKey to check a client proof and
/// ServerKey to prove itself back. Neither key lets anyone log in without the password.
/// </summary>
/// <remarks>
/// The arrays are copied on the way in; treat the ones returned as read-only.
/// </remarks>
public sealed class ScramCredentials
{
    /// <summary>Lowest iteration count accepted anywhere (RFC 7677 §4).</summary>
    public const int MinIterations = 4096;

    /// <summary>Iteration count used for new registrations.</summary>
    public const int DefaultIterations = 100_000;

    /// <summary>
    /// Highest iteration count accepted. A server may pick the count, so without a ceiling
    /// a hostile one could make a client spend hours deriving (int.MaxValue rounds).
    /// </summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>Length of salts made by <see cref="NewSalt"/>.</summary>
    public const int SaltLength = 16;

    /// <summary>Longest salt accepted; keeps the server-first message small.</summary>
    public const int MaxSaltLength = 64;

    /// <summary>Length of SHA-256 keys and signatures.</summary>
    public const int KeyLength = 32;

    /// <summary>
    /// Wraps stored values. Throws <see cref="ArgumentException"/> if any is out of range;
    /// use <see cref="TryCreate"/> for values received from a peer.
    /// </summary>
    public ScramCredentials(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
    {
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(storedKey);
        ArgumentNullException.ThrowIfNull(serverKey);
        if (!IsValid(salt, iterations, storedKey, serverKey))
        {
            throw new ArgumentException($"SCRAM credentials need a 1 to {MaxSaltLength} byte salt, {MinIterations} to {MaxIterations} iterations and {KeyLength} byte keys.");
        }

        Salt = (byte[])salt.Clone();
        Iterations = iterations;
        StoredKey = (byte[])storedKey.Clone();
        ServerKey = (byte[])serverKey.Clone();
    }

    /// <summary>The salt the client derives SaltedPassword with.</summary>
    public byte[] Salt { get; }

    /// <summary>The PBKDF2 iteration count.</summary>
    public int Iterations { get; }

    /// <summary>SHA-256(HMAC(SaltedPassword, "Client Key")).</summary>
    public byte[] StoredKey { get; }

    /// <summary>HMAC(SaltedPassword, "Server Key").</summary>
    public byte[] ServerKey { get; }

    /// <summary>
    /// Builds credentials from stored or received values, such as a registration sent by a
    /// client. Returns false if any is out of range; never throws on bad input.
    /// </summary>
    public static bool TryCreate(byte[]? salt, int iterations, byte[]? storedKey, byte[]? serverKey, [NotNullWhen(true)] out ScramCredentials? credentials)
    {
        credentials = salt is not null && storedKey is not null && serverKey is not null && IsValid(salt, iterations, storedKey, serverKey)
            ? new ScramCredentials(salt, iterations, storedKey, serverKey)
            : null;
        return credentials is not null;
    }

    /// <summary>Derives credentials for a new registration with a fresh salt and <see cref="DefaultIterations"/>.</summary>
    public static ScramCredentials Create(string password) => Derive(password, NewSalt(), DefaultIterations);

    /// <summary>
    /// Derives credentials from a password (RFC 5802 §3). The password is prepared as
    /// described on <see cref="ScramPassword"/>; an empty one or one with control
    /// characters throws <see cref="ArgumentException"/>.
    /// </summary>
    public static ScramCredentials Derive(string password, byte[] salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(salt);
        ValidateDerivationInput(salt, iterations);
        var storedKey = new byte[KeyLength];
        var serverKey = new byte[KeyLength];
        Span<byte> clientKey = stackalloc byte[KeyLength];
        try
        {
            DeriveKeys(ScramPassword.Prepare(password), salt, iterations, clientKey, serverKey);
            SHA256.HashData(clientKey, storedKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clientKey);
        }

        return new ScramCredentials(salt, iterations, storedKey, serverKey);
    }

    /// <summary>A random salt of <see cref="SaltLength"/> bytes.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltLength);

    /// <summary>
    /// SaltedPassword = PBKDF2-HMAC-SHA-256(UTF-8(password), salt, iterations), then
    /// ClientKey and ServerKey from it. Shared with <see cref="ScramClient"/>, which needs
    /// ClientKey itself to build its proof.
    /// </summary>
    internal static void DeriveKeys(string preparedPassword, ReadOnlySpan<byte> salt, int iterations, Span<byte> clientKey, Span<byte> serverKey)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(preparedPassword);
        Span<byte> saltedPassword = stackalloc byte[KeyLength];
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, saltedPassword, iterations, HashAlgorithmName.SHA256);
            HMACSHA256.HashData(saltedPassword, "Client Key"u8, clientKey);
            HMACSHA256.HashData(saltedPassword, "Server Key"u8, serverKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(saltedPassword);
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    private static bool IsValid(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) =>
        salt.Length is > 0 and <= MaxSaltLength
        && iterations is >= MinIterations and <= MaxIterations
        && storedKey.Length == KeyLength
        && serverKey.Length == KeyLength;

    private static void ValidateDerivationInput(byte[] salt, int iterations)
    {
        if (salt.Length is 0 or > MaxSaltLength)
        {
            throw new ArgumentException($"The salt must be 1 to {MaxSaltLength} bytes long.", nameof(salt));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
    }
}

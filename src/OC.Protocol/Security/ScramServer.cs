using System.Security.Cryptography;
using System.Text;

namespace OC.Protocol.Security;

/// <summary>
/// The appliance side of one SCRAM-SHA-256 exchange (RFC 5802 §5, RFC 7677), without
/// channel binding. Parse the client-first message with <see cref="TryParseClientFirst"/>,
/// look the user up, construct, send <see cref="ServerFirstMessage"/>, then answer the
/// client-final message with <see cref="TryVerifyClientFinal"/>. Every input is from an
/// unauthenticated peer, so nothing here throws on it: failures come back as false.
/// </summary>
/// <remarks>
/// For an unknown user, still answer with plausible credentials (for example derived from
/// a server secret and the username) so the reply does not reveal which users exist.
/// </remarks>
public sealed class ScramServer
{
    /// <summary>Longest client message accepted, in UTF-16 code units.</summary>
    public const int MaxMessageLength = ScramSyntax.MaxMessageLength;

    private readonly ScramCredentials _credentials;
    private readonly string _clientFirstBare;
    private readonly string _nonce;
    private bool _attempted;

    /// <summary>
    /// Starts the server side for a client-first message that
    /// <see cref="TryParseClientFirst"/> accepted; throws <see cref="ArgumentException"/>
    /// for one it would reject.
    /// </summary>
    /// <param name="clientFirst">The client-first message exactly as received.</param>
    /// <param name="credentials">The stored credentials of the user it names.</param>
    /// <param name="serverNonce">Fixed nonce part for tests only; 18 random bytes in base64 when null.</param>
    public ScramServer(string clientFirst, ScramCredentials credentials, string? serverNonce = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (!TryParse(clientFirst, out var username, out var clientNonce, out var bare, out var error))
        {
            throw new ArgumentException("Invalid client-first message: " + error, nameof(clientFirst));
        }

        if (serverNonce is not null && (!ScramSyntax.IsValidNonce(serverNonce) || serverNonce.Length > ScramSyntax.MaxNonceLength))
        {
            throw new ArgumentException("A nonce must be visible ASCII without ','.", nameof(serverNonce));
        }

        _credentials = credentials;
        _clientFirstBare = bare;
        _nonce = clientNonce + (serverNonce ?? ScramSyntax.NewNonce());
        Username = username;
        ServerFirstMessage = "r=" + _nonce + ",s=" + Convert.ToBase64String(credentials.Salt)
            + ",i=" + credentials.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The unescaped username from the client-first message.</summary>
    public string Username { get; }

    /// <summary>server-first-message: <c>r=CNONCE+SNONCE,s=SALT,i=COUNT</c>.</summary>
    public string ServerFirstMessage { get; }

    /// <summary>
    /// Parses a client-first message (<c>n,,n=USER,r=NONCE</c>). Only the GS2 header
    /// <c>n,,</c> is accepted: no channel binding and no authorisation identity.
    /// </summary>
    /// <param name="clientFirst">The message as received.</param>
    /// <param name="username">The unescaped username.</param>
    /// <param name="clientNonce">The client's nonce.</param>
    /// <param name="error">Why the message was rejected, for logs; empty on success.</param>
    public static bool TryParseClientFirst(string clientFirst, out string username, out string clientNonce, out string error) =>
        TryParse(clientFirst, out username, out clientNonce, out _, out error);

    /// <summary>
    /// Checks client-final-message (<c>c=biws,r=NONCE,p=PROOF</c>). On success
    /// <paramref name="serverFinal"/> is <c>v=SIGNATURE</c>, proving the server knows
    /// ServerKey; on failure it is an <c>e=</c> message with an RFC 5802 §7
    /// server-error-value. Only the first call can succeed, so a proof cannot be retried
    /// against the same nonce.
    /// </summary>
    public bool TryVerifyClientFinal(string clientFinal, out string serverFinal)
    {
        var failure = Verify(clientFinal, out serverFinal);
        if (failure is not null)
        {
            serverFinal = "e=" + failure;
        }

        return failure is null;
    }

    // Returns null on success or the server-error-value to send.
    private string? Verify(string clientFinal, out string serverFinal)
    {
        serverFinal = string.Empty;
        if (_attempted)
        {
            return "other-error";
        }

        _attempted = true;

        // client-final-message = channel-binding "," nonce ["," extensions] "," proof
        if (clientFinal is null || clientFinal.Length > MaxMessageLength
            || !ScramSyntax.TrySplit(clientFinal, out var attributes) || attributes.Length < 3
            || !ScramSyntax.TryGetValue(attributes[0], 'c', out var channelBinding)
            || !ScramSyntax.TryGetValue(attributes[1], 'r', out var nonce)
            || !ScramSyntax.TryGetValue(attributes[^1], 'p', out var proofText)
            || !ScramSyntax.AreValidExtensions(attributes.AsSpan(2, attributes.Length - 3)))
        {
            return "invalid-encoding";
        }

        // "biws" is base64("n,,"), the header we insisted on in client-first (RFC 5802 §6).
        if (!string.Equals(channelBinding, ScramSyntax.ChannelBinding, StringComparison.Ordinal))
        {
            return "channel-bindings-dont-match";
        }

        if (!string.Equals(nonce, _nonce, StringComparison.Ordinal))
        {
            return "other-error";
        }

        if (!ScramSyntax.TryDecodeBase64(proofText, out var proof) || proof.Length != ScramCredentials.KeyLength)
        {
            return "invalid-encoding";
        }

        var clientFinalWithoutProof = clientFinal[..(clientFinal.Length - attributes[^1].Length - 1)];
        var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + ServerFirstMessage + "," + clientFinalWithoutProof);

        // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); it is right when its
        // hash is StoredKey (RFC 5802 §3). The comparison is constant-time.
        Span<byte> clientKey = stackalloc byte[ScramCredentials.KeyLength];
        Span<byte> storedKey = stackalloc byte[ScramCredentials.KeyLength];
        try
        {
            HMACSHA256.HashData(_credentials.StoredKey, authMessage, clientKey);
            for (var i = 0; i < clientKey.Length; i++)
            {
                clientKey[i] ^= proof[i];
            }

            SHA256.HashData(clientKey, storedKey);
            if (!CryptographicOperations.FixedTimeEquals(storedKey, _credentials.StoredKey))
            {
                return "invalid-proof";
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clientKey);
        }

        serverFinal = "v=" + Convert.ToBase64String(HMACSHA256.HashData(_credentials.ServerKey, authMessage));
        return null;
    }

    // client-first-message = gs2-header client-first-message-bare
    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    private static bool TryParse(string clientFirst, out string username, out string clientNonce, out string bare, out string error)
    {
        username = clientNonce = bare = string.Empty;
        error = Check(clientFirst);
        if (error.Length > 0)
        {
            return false;
        }

        bare = clientFirst[ScramSyntax.Gs2Header.Length..];
        if (!ScramSyntax.TrySplit(bare, out var attributes))
        {
            error = "client-first message is not a list of 'x=value' attributes";
            return false;
        }

        if (attributes[0][0] == 'm')
        {
            error = "client-first message demands an extension ('m=') we do not support";
            return false;
        }

        if (attributes.Length < 2
            || !ScramSyntax.TryGetValue(attributes[0], 'n', out var escapedName)
            || !ScramSyntax.TryGetValue(attributes[1], 'r', out var nonce)
            || !ScramSyntax.AreValidExtensions(attributes.AsSpan(2)))
        {
            error = "client-first message is not 'n,,n=...,r=...'";
            return false;
        }

        if (!ScramSyntax.TryUnescapeName(escapedName, out var name))
        {
            error = "username is not a valid saslname";
            return false;
        }

        if (!ScramSyntax.IsValidNonce(nonce) || nonce.Length > ScramSyntax.MaxNonceLength)
        {
            error = $"client nonce must be 1 to {ScramSyntax.MaxNonceLength} visible ASCII characters without ','";
            return false;
        }

        username = name;
        clientNonce = nonce;
        return true;
    }

    // Size and GS2 header. RFC 5802 would accept "y,," from a server that does not
    // advertise channel binding; OC clients always send "n,,", so anything else is refused.
    private static string Check(string clientFirst)
    {
        if (clientFirst is null || clientFirst.Length == 0)
        {
            return "client-first message is empty";
        }

        if (clientFirst.Length > MaxMessageLength)
        {
            return $"client-first message is longer than {MaxMessageLength} characters";
        }

        if (clientFirst.StartsWith("p=", StringComparison.Ordinal) || clientFirst.StartsWith("y,", StringComparison.Ordinal))
        {
            return "channel binding is not supported";
        }

        if (clientFirst.StartsWith("n,a=", StringComparison.Ordinal))
        {
            return "an authorisation identity ('a=') is not supported";
        }

        return clientFirst.StartsWith(ScramSyntax.Gs2Header, StringComparison.Ordinal)
            ? string.Empty
            : "client-first message does not start with the GS2 header 'n,,'";
    }
}

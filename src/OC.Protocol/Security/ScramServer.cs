using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace OC.Protocol.Security;

/// <summary>
/// The appliance side of one SCRAM-SHA-256 exchange (RFC 5802 §5, RFC 7677). Parse the
/// client-first message with <see cref="TryParseClientFirst"/>, look the user up, construct,
/// send <see cref="ServerFirstMessage"/>, then answer the client-final message with
/// <see cref="TryVerifyClientFinal"/>. Every input is from an unauthenticated peer, so nothing
/// here throws on it: failures come back as false.
/// </summary>
/// <remarks>
/// Channel binding (RFC 5802 §6) follows the connection, passed to both as
/// <c>channelBinding</c>: over TLS (the <c>tls-server-end-point</c> data of the appliance's own
/// certificate, <see cref="ChannelBinding.TlsServerEndPoint"/>) only SCRAM-SHA-256-PLUS is
/// accepted, GS2 header <c>p=tls-server-end-point,,</c>, and c= must carry the same data: a
/// client that saw another certificate (a relay) fails. "n,," and "y,," are refused there, as a
/// downgrade would let a relay strip the binding. On a plaintext connection (null) there is no
/// channel to bind: "n,," and "y,," (RFC 5802 §6: the client could bind but the server offers
/// none) are accepted and "p=" is refused.
/// For an unknown user, still answer with plausible credentials (for example derived from
/// a server secret and the username) so the reply does not reveal which users exist.
/// </remarks>
public sealed class ScramServer
{
    /// <summary>Longest client message accepted, in UTF-16 code units.</summary>
    public const int MaxMessageLength = ScramSyntax.MaxMessageLength;

    /// <summary>The server-final-message sent when c= does not carry this connection's channel binding (RFC 5802 §7).</summary>
    public const string ChannelBindingsDontMatch = "e=" + ChannelBindingsDontMatchValue;

    private const string ChannelBindingsDontMatchValue = "channel-bindings-dont-match";

    private const string NoGs2Header = "client-first message does not start with a GS2 header ('n,,', 'y,,' or '" + ScramSyntax.PlusGs2Header + "')";

    private readonly ScramCredentials _credentials;
    private readonly string _clientFirstBare;
    private readonly string _channelBindingAttribute;
    private readonly string _nonce;
    private bool _attempted;

    /// <summary>
    /// Starts the server side for a client-first message that
    /// <see cref="TryParseClientFirst"/> accepted with the same <paramref name="channelBinding"/>;
    /// throws <see cref="ArgumentException"/> for one it would reject.
    /// </summary>
    /// <param name="clientFirst">The client-first message exactly as received.</param>
    /// <param name="credentials">The stored credentials of the user it names.</param>
    /// <param name="channelBinding">
    /// The connection's <c>tls-server-end-point</c> data (of the appliance's own certificate), or
    /// null on a plaintext connection.
    /// </param>
    /// <param name="serverNonce">Fixed nonce part for tests only; 18 random bytes in base64 when null.</param>
    public ScramServer(string clientFirst, ScramCredentials credentials, byte[]? channelBinding, string? serverNonce = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ScramSyntax.CheckChannelBinding(channelBinding, nameof(channelBinding));
        if (!TryParse(clientFirst, channelBinding, out var username, out var clientNonce, out var gs2Header, out var error, out _))
        {
            throw new ArgumentException("Invalid client-first message: " + error, nameof(clientFirst));
        }

        if (serverNonce is not null && (!ScramSyntax.IsValidNonce(serverNonce) || serverNonce.Length > ScramSyntax.MaxNonceLength))
        {
            throw new ArgumentException("A nonce must be visible ASCII without ','.", nameof(serverNonce));
        }

        _credentials = credentials;
        _clientFirstBare = clientFirst[gs2Header.Length..];
        // What c= must be (RFC 5802 §6): the header the client sent and, for "p=", our data.
        _channelBindingAttribute = ScramSyntax.ChannelBindingAttribute(gs2Header, channelBinding);
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
    /// Parses a client-first message (<c>GS2HEADER n=USER,r=NONCE</c>) received on a connection
    /// with the given channel binding. The GS2 header must fit the connection: over TLS
    /// (<paramref name="channelBinding"/> set) only <c>p=tls-server-end-point,,</c>; on plaintext
    /// (null) <c>n,,</c> or <c>y,,</c>. An authorisation identity is never accepted.
    /// </summary>
    /// <param name="clientFirst">The message as received.</param>
    /// <param name="channelBinding">The connection's channel-binding data, null on plaintext.</param>
    /// <param name="username">The unescaped username.</param>
    /// <param name="clientNonce">The client's nonce.</param>
    /// <param name="error">Why the message was rejected, for logs and the client; empty on success.</param>
    /// <param name="channelBindingRefused">
    /// True when the message is well formed but its channel binding does not fit this connection
    /// (a downgrade over TLS, a binding asked for on plaintext, another binding type): the RFC
    /// 5802 errors server-does-support-channel-binding, channel-binding-not-supported and
    /// unsupported-channel-binding-type, which may mean a relay between client and appliance.
    /// </param>
    public static bool TryParseClientFirst(string clientFirst, byte[]? channelBinding, out string username, out string clientNonce,
        out string error, out bool channelBindingRefused)
    {
        ScramSyntax.CheckChannelBinding(channelBinding, nameof(channelBinding));
        return TryParse(clientFirst, channelBinding, out username, out clientNonce, out _, out error, out channelBindingRefused);
    }

    /// <summary>
    /// Checks client-final-message (<c>c=CBIND,r=NONCE,p=PROOF</c>; c= is <c>biws</c> for
    /// <c>n,,</c>, <c>eSws</c> for <c>y,,</c>, and with channel binding base64 of
    /// <c>p=tls-server-end-point,,</c> and the connection's data). On success
    /// <paramref name="serverFinal"/> is <c>v=SIGNATURE</c>, proving the server knows
    /// ServerKey; on failure it is an <c>e=</c> message with an RFC 5802 §7
    /// server-error-value (<see cref="ChannelBindingsDontMatch"/> when c= is not this
    /// connection's binding: checked before the proof). Only the first call can succeed, so a
    /// proof cannot be retried against the same nonce.
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

        // c= must repeat the client-first's GS2 header and, over TLS, carry our certificate's
        // hash (RFC 5802 §6): a client that saw another certificate computed other data. Not a
        // secret, but compared in constant time all the same.
        if (!CryptographicOperations.FixedTimeEquals(
                MemoryMarshal.AsBytes(channelBinding.AsSpan()), MemoryMarshal.AsBytes(_channelBindingAttribute.AsSpan())))
        {
            return ChannelBindingsDontMatchValue;
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
    private static bool TryParse(string clientFirst, byte[]? channelBinding, out string username, out string clientNonce,
        out string gs2Header, out string error, out bool channelBindingRefused)
    {
        username = clientNonce = gs2Header = string.Empty;
        error = CheckGs2Header(clientFirst, channelBinding, out gs2Header, out channelBindingRefused);
        if (error.Length > 0)
        {
            return false;
        }

        var bare = clientFirst[gs2Header.Length..];
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
            error = $"client-first message is not '{gs2Header}n=...,r=...'";
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

    // Size and GS2 header (RFC 5802 §7):
    //   gs2-header     = gs2-cbind-flag "," [ authzid ] ","
    //   gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
    //   cb-name        = 1*(ALPHA / DIGIT / "." / "-")
    // Which flags a connection accepts is in the class remarks. The reasons name no peer text.
    private static string CheckGs2Header(string clientFirst, byte[]? channelBinding, out string gs2Header, out bool channelBindingRefused)
    {
        gs2Header = string.Empty;
        channelBindingRefused = false;
        if (clientFirst is null || clientFirst.Length == 0)
        {
            return "client-first message is empty";
        }

        if (clientFirst.Length > MaxMessageLength)
        {
            return $"client-first message is longer than {MaxMessageLength} characters";
        }

        int flagEnd = clientFirst.IndexOf(',', StringComparison.Ordinal);
        int authzidEnd = flagEnd < 0 ? -1 : clientFirst.IndexOf(',', flagEnd + 1);
        if (authzidEnd < 0)
        {
            return NoGs2Header;
        }

        var flag = clientFirst[..flagEnd];
        var authzid = clientFirst.AsSpan(flagEnd + 1, authzidEnd - flagEnd - 1);
        bool validFlag = flag is "n" or "y" || (flag.StartsWith("p=", StringComparison.Ordinal) && IsCbName(flag.AsSpan(2)));
        if (!validFlag || !(authzid.IsEmpty || authzid.StartsWith("a=", StringComparison.Ordinal)))
        {
            return NoGs2Header;
        }

        // The binding first: a header that does not fit the connection is the finding that matters.
        var refusal = FitsConnection(flag, channelBinding);
        if (refusal.Length > 0)
        {
            channelBindingRefused = true;
            return refusal;
        }

        if (!authzid.IsEmpty)
        {
            return "an authorisation identity ('a=') is not supported";
        }

        gs2Header = clientFirst[..(authzidEnd + 1)];
        return string.Empty;
    }

    // RFC 5802 §6 as the connection decides it; empty when the flag fits. In RFC 5802 §7's terms the
    // refusals are channel-binding-not-supported (plaintext), server-does-support-channel-binding
    // ("n" or "y" over TLS) and unsupported-channel-binding-type.
    private static string FitsConnection(string flag, byte[]? channelBinding)
    {
        if (channelBinding is null)
        {
            return flag is "n" or "y" ? string.Empty : "channel binding ('p=') is not possible: this connection is not TLS";
        }

        return flag switch
        {
            "p=" + ChannelBinding.TlsServerEndPointName => string.Empty,
            "n" or "y" => $"over TLS only a channel-bound login (SCRAM-SHA-256-PLUS, '{ScramSyntax.PlusGs2Header}') is accepted, not '{flag},,'",
            _ => $"the only channel binding type supported is '{ChannelBinding.TlsServerEndPointName}'",
        };
    }

    // cb-name = 1*(ALPHA / DIGIT / "." / "-")
    private static bool IsCbName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace OC.Protocol.Security;

/// <summary>
/// The client side of one SCRAM-SHA-256 exchange (RFC 5802 §5, RFC 7677): SCRAM-SHA-256-PLUS
/// with the <c>tls-server-end-point</c> channel binding (RFC 5929 §4) when given the
/// connection's channel-binding data, plain SCRAM-SHA-256 without it. Send
/// <see cref="ClientFirstMessage"/>, pass the reply to <see cref="ProcessServerFirst"/>, send
/// what it returns, then check the server's last message with <see cref="VerifyServerFinal"/>.
/// Only then is the server known to hold this user's credentials (and, with channel binding,
/// to be the end of the TLS connection this client sees). One instance serves one attempt.
/// </summary>
public sealed class ScramClient
{
    private readonly string _password;
    private readonly string _clientNonce;
    private readonly string _clientFirstBare;
    private readonly string _channelBindingAttribute;
    private byte[]? _expectedServerSignature;
    private bool _finished;

    /// <summary>Starts an exchange.</summary>
    /// <param name="username">The OC number; escaped as saslname on the wire.</param>
    /// <param name="password">Prepared as described on <see cref="ScramCredentials.Derive"/>.</param>
    /// <param name="clientNonce">Fixed nonce for tests only; random when null.</param>
    /// <param name="channelBinding">
    /// The TLS connection's <c>tls-server-end-point</c> data (<see cref="ChannelBinding.TlsServerEndPoint"/>
    /// of the certificate the appliance presented): the exchange is then SCRAM-SHA-256-PLUS. Null on
    /// a plaintext connection.
    /// </param>
    public ScramClient(string username, string password, string? clientNonce = null, byte[]? channelBinding = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        if (username.Any(char.IsControl))
        {
            throw new ArgumentException("The username contains a control character.", nameof(username));
        }

        if (clientNonce is not null && !ScramSyntax.IsValidNonce(clientNonce))
        {
            throw new ArgumentException("A nonce must be visible ASCII without ','.", nameof(clientNonce));
        }

        _password = ScramPassword.Prepare(password);
        _clientNonce = clientNonce ?? ScramSyntax.NewNonce();
        _clientFirstBare = "n=" + ScramSyntax.EscapeName(username) + ",r=" + _clientNonce;

        // RFC 5802 §6: c= is base64 of the GS2 header and, for "p=", the channel-binding data;
        // the proof is computed over it, so the server notices a different channel.
        ScramSyntax.CheckChannelBinding(channelBinding, nameof(channelBinding));
        var gs2Header = channelBinding is null ? ScramSyntax.Gs2Header : ScramSyntax.PlusGs2Header;
        _channelBindingAttribute = ScramSyntax.ChannelBindingAttribute(gs2Header, channelBinding);
        ClientFirstMessage = gs2Header + _clientFirstBare;
    }

    /// <summary>
    /// client-first-message: <c>n,,n=USER,r=NONCE</c>, or with channel binding
    /// <c>p=tls-server-end-point,,n=USER,r=NONCE</c>.
    /// </summary>
    public string ClientFirstMessage { get; }

    /// <summary>The value of an <c>e=</c> server-final message, once one was received.</summary>
    public string? ServerError { get; private set; }

    /// <summary>
    /// Checks server-first-message (<c>r=NONCE,s=SALT,i=COUNT</c>) and returns
    /// client-final-message (<c>c=biws,r=NONCE,p=PROOF</c>; with channel binding, c= is
    /// base64("p=tls-server-end-point,," + data)). Runs PBKDF2, so it takes as
    /// long as the iteration count asks. Throws <see cref="ScramException"/> when the
    /// message is malformed or unsafe to answer.
    /// </summary>
    public string ProcessServerFirst(string serverFirst)
    {
        if (_expectedServerSignature is not null || _finished)
        {
            throw new InvalidOperationException("The server-first message was already processed.");
        }

        ArgumentNullException.ThrowIfNull(serverFirst);
        var (nonce, salt, iterations) = ParseServerFirst(serverFirst, _clientNonce);
        var clientFinalWithoutProof = "c=" + _channelBindingAttribute + ",r=" + nonce;
        var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof);

        Span<byte> clientKey = stackalloc byte[ScramCredentials.KeyLength];
        Span<byte> serverKey = stackalloc byte[ScramCredentials.KeyLength];
        Span<byte> storedKey = stackalloc byte[ScramCredentials.KeyLength];
        Span<byte> proof = stackalloc byte[ScramCredentials.KeyLength];
        try
        {
            ScramCredentials.DeriveKeys(_password, salt, iterations, clientKey, serverKey);
            SHA256.HashData(clientKey, storedKey);

            // ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage) (RFC 5802 §3).
            HMACSHA256.HashData(storedKey, authMessage, proof);
            for (var i = 0; i < proof.Length; i++)
            {
                proof[i] ^= clientKey[i];
            }

            _expectedServerSignature = HMACSHA256.HashData(serverKey, authMessage);
            return clientFinalWithoutProof + ",p=" + Convert.ToBase64String(proof);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clientKey);
            CryptographicOperations.ZeroMemory(serverKey);
            CryptographicOperations.ZeroMemory(storedKey);
        }
    }

    /// <summary>
    /// Checks server-final-message. True only for <c>v=</c> carrying the expected
    /// ServerSignature; false for a wrong signature or an <c>e=</c> error (kept in
    /// <see cref="ServerError"/>). Throws <see cref="ScramException"/> when malformed.
    /// </summary>
    public bool VerifyServerFinal(string serverFinal)
    {
        if (_expectedServerSignature is null || _finished)
        {
            throw new InvalidOperationException("VerifyServerFinal must follow ProcessServerFirst, once.");
        }

        ArgumentNullException.ThrowIfNull(serverFinal);
        _finished = true;

        var signature = ParseServerFinal(serverFinal, out var error);
        if (signature is null)
        {
            ServerError = error;
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature);
    }

    /// <summary>
    /// server-final-message = (server-error / verifier) ["," extensions]: the verifier's bytes, or
    /// null and the <c>e=</c> value in <paramref name="error"/>. Throws <see cref="ScramException"/>
    /// when malformed. Internal and static for the fuzz target (docs/fuzzing.md).
    /// </summary>
    internal static byte[]? ParseServerFinal(string serverFinal, out string? error)
    {
        error = null;
        var attributes = Split(serverFinal, "server-final");
        if (!ScramSyntax.AreValidExtensions(attributes.AsSpan(1)))
        {
            throw Error("server-final message has unexpected attributes.");
        }

        if (ScramSyntax.TryGetValue(attributes[0], 'e', out var value))
        {
            error = value;
            return null;
        }

        if (!ScramSyntax.TryGetValue(attributes[0], 'v', out var verifier))
        {
            throw Error("server-final message has neither 'v=' nor 'e='.");
        }

        if (!ScramSyntax.TryDecodeBase64(verifier, out var signature))
        {
            throw Error("server signature is not valid base64.");
        }

        return signature;
    }

    /// <summary>
    /// server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions],
    /// checked against the client's nonce. Throws <see cref="ScramException"/> when malformed or
    /// unsafe to answer. Internal and static for the fuzz target (docs/fuzzing.md).
    /// </summary>
    internal static (string Nonce, byte[] Salt, int Iterations) ParseServerFirst(string serverFirst, string clientNonce)
    {
        var attributes = Split(serverFirst, "server-first");
        if (attributes[0][0] == 'm')
        {
            throw Error("server-first message demands an extension ('m=') we do not support.");
        }

        if (attributes.Length < 3
            || !ScramSyntax.TryGetValue(attributes[0], 'r', out var nonce)
            || !ScramSyntax.TryGetValue(attributes[1], 's', out var saltText)
            || !ScramSyntax.TryGetValue(attributes[2], 'i', out var iterationText)
            || !ScramSyntax.AreValidExtensions(attributes.AsSpan(3)))
        {
            throw Error("server-first message is not 'r=...,s=...,i=...'.");
        }

        // The server only appends to our nonce; anything else is a replay or a confused peer.
        if (nonce.Length <= clientNonce.Length || !nonce.StartsWith(clientNonce, StringComparison.Ordinal)
            || !ScramSyntax.IsValidNonce(nonce))
        {
            throw Error("server nonce does not extend the client nonce.");
        }

        if (!ScramSyntax.TryDecodeBase64(saltText, out var salt) || salt.Length > ScramCredentials.MaxSaltLength)
        {
            throw Error("salt is not valid base64 of an acceptable length.");
        }

        // A server may choose the count, so the client enforces the floor (RFC 7677 §4:
        // a hostile server could otherwise make the proof cheap to brute-force) and a
        // ceiling (so it cannot make the client derive for hours).
        if (!ScramSyntax.TryParsePositive(iterationText, out var iterations)
            || iterations is < ScramCredentials.MinIterations or > ScramCredentials.MaxIterations)
        {
            throw Error($"iteration count must be {ScramCredentials.MinIterations} to {ScramCredentials.MaxIterations}.");
        }

        return (nonce, salt, iterations);
    }

    private static string[] Split(string message, string what)
    {
        if (message.Length > ScramSyntax.MaxMessageLength)
        {
            throw Error($"{what} message is longer than {ScramSyntax.MaxMessageLength} characters.");
        }

        if (!ScramSyntax.TrySplit(message, out var attributes))
        {
            throw Error($"{what} message is not a list of 'x=value' attributes.");
        }

        return attributes;
    }

    private static ScramException Error(string reason) => new("SCRAM: " + reason);
}

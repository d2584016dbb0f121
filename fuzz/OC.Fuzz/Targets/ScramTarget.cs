using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using OC.Protocol;
using OC.Protocol.Security;

namespace OC.Fuzz.Targets;

/// <summary>
/// The SCRAM-SHA-256 message syntax on both sides (RFC 5802 §7). The first byte picks the step, the
/// rest is one or two messages (split at the first NUL), taken as LOGIN_START/LOGIN_FINISH strings
/// are (valid UTF-8, at most 1024 bytes):
/// 0 the appliance on a plaintext connection: client-first (TryParseClientFirst; if accepted, a
///   ScramServer, whose server-first a client must be able to read), then client-final
///   (TryVerifyClientFinal, which must refuse a second attempt whatever the first said);
/// 1 the client: server-first (ParseServerFirst, without the PBKDF2 that follows it);
/// 2 the client: server-final (ParseServerFinal);
/// 3 as 0, on a TLS connection (channel-binding data set: SCRAM-SHA-256-PLUS only).
/// Checks: the appliance's side never throws; the client's throws ScramException only; a GS2
/// header is accepted only where it fits the connection (p=tls-server-end-point over TLS, n or y on
/// plaintext), and refused for its channel binding only where it does not.
/// </summary>
internal sealed class ScramTarget : FuzzTarget
{
    private const string ClientNonce = "fyko+d2lbbFgONRv9qkxdawL";
    private static readonly ScramCredentials Credentials = ScramCredentials.Derive("pencil", Convert.FromBase64String("QSXCR+Q6sek8bf92"), ScramCredentials.MinIterations);

    // Step 3's connection: the tls-server-end-point data of some certificate (any 32 bytes do).
    private static readonly byte[] TlsBinding = SHA256.HashData("oc fuzz certificate"u8);

    // Decoding, splitting into attributes, unescaping the name: a few copies of the message in
    // UTF-16. The client refuses by throwing: the ScramException, its message and the stack trace
    // captured as it is thrown take 3 to 11 KB whatever the input, the most the first time in a
    // process (the first fuzz run found 3.7 KB for a 70-byte message: the budget's fixed part was
    // too small, not the parser wrong). 16 KiB fixed covers that.
    private static readonly AllocationBudget Budget = new("SCRAM parsing", 16 * 1024, 32);

    public override string Name => "scram";
    public override string Description => "SCRAM client-first/client-final (appliance) and server-first/server-final (client) parsing";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        int step = input[0] % 4;
        var rest = input[1..];
        int nul = rest.IndexOf((byte)0);
        var first = nul < 0 ? rest : rest[..nul];
        var second = nul < 0 ? [] : rest[(nul + 1)..];
        if (!TryText(first, out var firstText) || !TryText(second, out var secondText)) return;

        switch (step)
        {
            case 0: Appliance(firstText, secondText, first.Length, null); break;
            case 1: ClientSide(() => ScramClient.ParseServerFirst(firstText, ClientNonce), first.Length); break;
            case 2: ClientSide(() => ScramClient.ParseServerFinal(firstText, out _), first.Length); break;
            default: Appliance(firstText, secondText, first.Length, TlsBinding); break;
        }
    }

    // What ScramStep.TryRead lets through.
    private static bool TryText(ReadOnlySpan<byte> bytes, out string text)
    {
        text = bytes.Length <= ProtocolLimits.MaxScramMessageBytes && Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : "";
        return text.Length > 0 || bytes.IsEmpty;
    }

    private static void Appliance(string clientFirst, string clientFinal, int length, byte[]? channelBinding)
    {
        long start = Budget.Start();
        bool parsed = ScramServer.TryParseClientFirst(clientFirst, channelBinding, out var username, out var clientNonce, out var error, out bool bindingRefused);
        Budget.Stop(start, length);
        // Only "p=" fits TLS, and it fits nothing else; "p=tls-server-end-point," is the only binding we accept.
        bool plus = clientFirst.StartsWith("p=", StringComparison.Ordinal);
        if (!parsed)
        {
            Check.That(error.Length > 0, "a refused client-first without a reason");
            Check.That(!bindingRefused || (channelBinding is null ? plus : !clientFirst.StartsWith("p=tls-server-end-point,", StringComparison.Ordinal)),
                $"client-first refused for a channel binding that fits the connection: {error}");
            return;
        }
        Check.That(!bindingRefused, "an accepted client-first marked as refused");
        Check.That(channelBinding is null ? !plus : clientFirst.StartsWith("p=tls-server-end-point,,", StringComparison.Ordinal),
            "a client-first accepted whose channel binding does not fit the connection");
        var server = new ScramServer(clientFirst, Credentials, channelBinding, "3rfcNHYJY1ZVvWVs7j");
        Check.That(server.Username == username, "ScramServer and TryParseClientFirst disagree on the username");
        // Whatever nonce the appliance accepted, its answer must be one a client can read.
        ScramClient.ParseServerFirst(server.ServerFirstMessage, clientNonce);

        bool first = server.TryVerifyClientFinal(clientFinal, out var serverFinal);
        Check.That(first ? serverFinal.StartsWith("v=", StringComparison.Ordinal) : serverFinal.StartsWith("e=", StringComparison.Ordinal), $"server-final '{serverFinal}'");
        Check.That(!server.TryVerifyClientFinal(clientFinal, out _), "a second client-final was accepted");
    }

    private static void ClientSide(Action parse, int length)
    {
        long start = Budget.Start();
        try
        {
            parse();
        }
        catch (ScramException)
        {
            // The client refuses a malformed message with ScramException; anything else is a bug.
        }
        Budget.Stop(start, length);
    }

    public override IEnumerable<(string, byte[])> Seeds()
    {
        // RFC 7677 §3's example exchange (user "user", password "pencil") and the OC form with a number.
        (string, int, string)[] messages =
        [
            ("client-first-and-final", 0, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO\0c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            ("client-first-number", 0, "n,,n=123456,r=" + ClientNonce),
            ("client-first-escaped", 0, "n,,n=a=2Cb=3Dc,r=abc,x=extension"),
            ("server-first", 1, "r=" + ClientNonce + "3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
            ("server-first-extension", 1, "r=" + ClientNonce + "3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=100000,x=y"),
            ("server-final", 2, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            ("server-final-error", 2, "e=invalid-proof"),
            // SCRAM-SHA-256-PLUS on a TLS connection: c= carries the connection's data, so the proof is reached.
            ("plus-client-first-and-final", 3, "p=tls-server-end-point,,n=123456,r=" + ClientNonce + "\0c="
                + ScramSyntax.ChannelBindingAttribute("p=tls-server-end-point,,", TlsBinding) + ",r=" + ClientNonce + "3rfcNHYJY1ZVvWVs7j,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            ("plus-downgrade", 3, "n,,n=123456,r=" + ClientNonce),
            ("plus-on-plaintext", 0, "p=tls-server-end-point,,n=123456,r=" + ClientNonce),
        ];
        foreach (var (name, step, text) in messages) yield return (name, [(byte)step, .. Encoding.UTF8.GetBytes(text)]);
    }
}

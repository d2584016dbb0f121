using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OC.Appliance.Net.Tls;
using OC.Appliance.Security;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;
using OC.Tests.Support.Net;

namespace OC.Tests.Integration;

/// <summary>
/// TLS on the protocol port (docs/security.md): what crosses the network is ciphertext, trust is the
/// certificate's fingerprint, a client that does not trust it sends nothing, plaintext is refused,
/// and the certificate is the appliance's own and kept, or the owner's.
/// </summary>
public sealed class TransportSecurityTests
{
    private const string Secret = "secret: the wifi password is hunter2";

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task A_capture_of_the_LAN_holds_neither_message_text_nor_token_nor_login_proof(string engine)
    {
        using var appliance = new TestAppliance(tlsEngine: engine);
        await using var proxy = new RecordingProxy(appliance.Port);
        var transport = appliance.Transport;
        byte[] token;
        string proofPrefix;
        await using (var alice = await OcConnection.ConnectAsync("127.0.0.1", proxy.Port, "tests", transport))
        await using (var bob = await OcConnection.ConnectAsync("127.0.0.1", proxy.Port, "tests", transport))
        {
            uint a = await TestUsers.RegisterAsync(alice, "alice-nick", "pw-alice-1");
            uint b = await TestUsers.RegisterAsync(bob, "bob-nick", "pw-bob-123");
            token = (await TestUsers.LoginAsync(alice, a, "pw-alice-1")).SessionToken;
            await TestUsers.LoginAsync(bob, b, "pw-bob-123");
            await ChatPeers.BefriendAsync(alice, b, bob);
            await OcMessages.SendAsync(alice, b, Secret);
            var (_, history) = await OcMessages.HistoryAsync(bob, a, 0, 10);
            Assert.Contains(history, m => m.Text == Secret);
            // The start of every channel-bound client-final message: c=base64("p=tls-server-end-point,,...").
            proofPrefix = "c=" + Convert.ToBase64String("p=tls-server-end-point,,"u8.ToArray())[..24];
        }
        await using (var again = await OcConnection.ConnectAsync("127.0.0.1", proxy.Port, "tests", transport))
        {
            Assert.Equal("alice-nick", (await OcAccounts.ResumeAsync(again, token)).Nick);
        }

        var seen = proxy.Recorded;
        Assert.True(seen.Length > 2000, $"the proxy recorded only {seen.Length} bytes");
        Assert.False(seen.Contains(Secret), "the message text crossed the network in clear");
        Assert.False(seen.Contains("hunter2"));
        Assert.False(seen.Contains("alice-nick"), "a nickname crossed the network in clear");
        Assert.False(seen.Contains(token), "the session token crossed the network in clear");
        Assert.False(seen.Contains(proofPrefix), "the SCRAM exchange crossed the network in clear");
    }

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task A_client_that_does_not_trust_the_certificate_aborts_the_handshake_and_sends_nothing(string engine)
    {
        using var appliance = new TestAppliance(tlsEngine: engine);
        string other = Fingerprints.Format(SHA256.HashData("some other appliance"u8));

        var refused = await Assert.ThrowsAsync<OcUntrustedCertificateException>(() =>
            OcConnection.ConnectAsync("127.0.0.1", appliance.Port, "tests", OcTransport.Pinned(other)));

        Assert.Equal(appliance.Fingerprint, refused.Certificate.Fingerprint);
        Assert.Equal("test-appliance", refused.Certificate.Name);
        Assert.Equal(32, refused.Certificate.ApplianceId!.Length);
        // Its handshake may complete (.NET checks the certificate once OpenSSL is done), but no frame
        // (no HELLO, no login, no token) ever came from it.
        await using (var trusted = await appliance.ConnectAsync())
        {
            Assert.Equal(FrameType.Pong, (await trusted.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id))).Type);
        }
        Assert.Equal(2, appliance.Server.FramesReceived); // the trusted one's HELLO and PING
    }

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public void Plaintext_to_the_TLS_port_is_answered_in_plaintext_with_TlsRequired_and_closed(string engine)
    {
        using var appliance = new TestAppliance(tlsEngine: engine);
        using var raw = new RawClient(appliance.Port, tls: false);
        raw.SendHello();

        var error = raw.ReadError(Frame.NoRequest);
        Assert.Equal(ErrorCode.TlsRequired, error.Code);
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public async Task A_TLS_client_of_a_plaintext_appliance_is_told_that_it_does_not_speak_TLS()
    {
        using var appliance = new TestAppliance(configure: o => o with { InsecurePlaintext = true });

        var failed = await Assert.ThrowsAsync<OcConnectionException>(() =>
            OcConnection.ConnectAsync("127.0.0.1", appliance.Port, "tests", OcTransport.InsecureAnyCertificate));

        Assert.Contains("does not speak TLS", failed.Message, StringComparison.Ordinal);
        await using var plain = await appliance.ConnectAsync();
        Assert.Null(plain.Certificate);
    }

    [Fact]
    public void The_certificate_is_made_once_kept_private_and_presented_again_after_a_restart()
    {
        using var folder = new OC.Tests.Storage.TempDirectory();
        string first;
        using (var appliance = new TestAppliance(dataDirectory: folder.Path)) first = appliance.Fingerprint!;
        using (var again = new TestAppliance(dataDirectory: folder.Path)) Assert.Equal(first, again.Fingerprint);

        Assert.Equal(first, TlsIdentity.ReadFingerprint(folder.Path));
        foreach (var name in (string[])[TlsIdentity.CertificateFileName, TlsIdentity.KeyFileName])
        {
            if (OperatingSystem.IsWindows()) continue; // the folder's ACL decides there
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder.Path, name)));
        }
        var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(folder.Path, TlsIdentity.CertificateFileName));
        using var key = certificate.GetECDsaPublicKey();
        Assert.Equal(256, key!.KeySize); // ECDSA P-256
        Assert.Equal(first, Fingerprints.Of(certificate.RawData));
    }

    [Fact]
    public void A_key_without_its_certificate_stops_the_start_rather_than_changing_the_fingerprint()
    {
        using var folder = new OC.Tests.Storage.TempDirectory();
        using (new TestAppliance(dataDirectory: folder.Path)) { }
        File.Delete(Path.Combine(folder.Path, TlsIdentity.CertificateFileName));

        var e = Assert.Throws<TlsSetupException>(() => new TestAppliance(dataDirectory: folder.Path));
        Assert.Contains("restore it from a backup, or delete both", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task A_certificate_of_the_owners_PKI_is_served_with_its_chain_and_logins_bind_to_it(string engine)
    {
        using var folder = new OC.Tests.Storage.TempDirectory();
        var (certificatePath, keyPath, leafDer) = OwnersPki.Write(folder.Path);
        using var appliance = new TestAppliance(configure: o => o with { TlsCertificatePath = certificatePath, TlsKeyPath = keyPath }, tlsEngine: engine);
        Assert.Equal(Fingerprints.Of(leafDer), appliance.Fingerprint);

        await using var connection = await appliance.ConnectAsync();
        Assert.Equal(Fingerprints.Of(leafDer), connection.Certificate!.Fingerprint);
        Assert.Null(connection.Certificate.ApplianceId); // not the appliance's own: no id in it
        uint number = await TestUsers.RegisterAsync(connection, "erin", "pw");
        Assert.Equal(number, (await TestUsers.LoginAsync(connection, number, "pw")).OcNumber);
        Assert.False(File.Exists(Path.Combine(appliance.DataDirectory, TlsIdentity.CertificateFileName)));
    }

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task The_intermediate_of_the_owners_chain_is_sent_with_the_certificate(string engine)
    {
        using var folder = new OC.Tests.Storage.TempDirectory();
        var (certificatePath, keyPath, leafDer, intermediateDer) = OwnersPki.WriteWithIntermediate(folder.Path);
        using var appliance = new TestAppliance(configure: o => o with { TlsCertificatePath = certificatePath, TlsKeyPath = keyPath }, tlsEngine: engine);

        // A client that does not know the intermediate (as one of the owner's PKI would build the
        // chain): the certificates the appliance sent besides the leaf are in the chain's extra store.
        byte[]? leafSeen = null;
        byte[][] sent = [];
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, appliance.Port);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                leafSeen = certificate?.GetRawCertData();
                sent = [.. chain!.ChainPolicy.ExtraStore.Select(c => c.RawData)];
                return true;
            },
        });

        Assert.Equal(leafDer, leafSeen);
        Assert.Contains(sent, der => der.AsSpan().SequenceEqual(intermediateDer));
    }

    /// <summary>A CA and a leaf it signed (ECDSA P-384 with SHA-384: the channel binding hashes with SHA-384 then).</summary>
    private static class OwnersPki
    {
        public static (string Certificate, string Key, byte[] LeafDer) Write(string folder)
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            var caRequest = new CertificateRequest("CN=Office CA", caKey, HashAlgorithmName.SHA384);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            var leafRequest = new CertificateRequest("CN=chat.office.example", leafKey, HashAlgorithmName.SHA384);
            using var leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), [1, 2, 3, 4]);
            string certificate = Path.Combine(folder, "chain.pem"), key = Path.Combine(folder, "leaf.key");
            File.WriteAllText(certificate, leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
            File.WriteAllText(key, leafKey.ExportPkcs8PrivateKeyPem() + "\n");
            return (certificate, key, leaf.RawData);
        }

        /// <summary>A root, an intermediate it signed and a leaf the intermediate signed; the file holds all three, leaf first.</summary>
        public static (string Certificate, string Key, byte[] LeafDer, byte[] IntermediateDer) WriteWithIntermediate(string folder)
        {
            var from = DateTimeOffset.UtcNow.AddDays(-1);
            using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var rootRequest = new CertificateRequest("CN=Office Root CA", rootKey, HashAlgorithmName.SHA256);
            rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var root = rootRequest.CreateSelfSigned(from, from.AddYears(2));
            using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var intermediateRequest = new CertificateRequest("CN=Office Issuing CA", intermediateKey, HashAlgorithmName.SHA256);
            intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            using var intermediatePublic = intermediateRequest.Create(root, from, from.AddYears(1), [5, 6, 7, 8]);
            using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var leafRequest = new CertificateRequest("CN=chat.office.example", leafKey, HashAlgorithmName.SHA256);
            using var leaf = leafRequest.Create(intermediate, from, from.AddMonths(6), [9, 10, 11, 12]);
            string certificate = Path.Combine(folder, "chain3.pem"), key = Path.Combine(folder, "leaf3.key");
            File.WriteAllText(certificate, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n" + root.ExportCertificatePem() + "\n");
            File.WriteAllText(key, leafKey.ExportPkcs8PrivateKeyPem() + "\n");
            return (certificate, key, leaf.RawData, intermediate.RawData);
        }
    }
}

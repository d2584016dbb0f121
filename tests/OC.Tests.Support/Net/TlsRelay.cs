using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OC.Protocol.Security;

namespace OC.Tests.Support.Net;

/// <summary>
/// A man in the middle: terminates the client's TLS with a certificate of its own, opens its own
/// TLS connection to the appliance, and relays (and records) the plaintext between the two. A
/// client that trusts the relay's certificate talks through it; what it must never get is a login
/// (channel binding) or, from a client that checks fingerprints, anything at all.
/// </summary>
public sealed class TlsRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Task _accepting;

    public TlsRelay(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=not the appliance", key, HashAlgorithmName.SHA256);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the key is usable by the TLS stack on every platform.
        _certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        Fingerprint = Fingerprints.Of(_certificate.RawData);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The relay's own certificate's fingerprint (not the appliance's).</summary>
    public string Fingerprint { get; }

    /// <summary>The plaintext the relay saw, both ways.</summary>
    public ByteRecorder Plaintext { get; } = new();

    /// <summary>Client connections whose TLS handshake with the relay completed.</summary>
    public int Handshakes => Volatile.Read(ref _handshakes);
    private int _handshakes;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                lock (_tasks) _tasks.Add(RelayAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var downstream = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await downstream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _certificate,
                EnabledSslProtocols = SslProtocols.Tls13,
            }, _stop.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _handshakes);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            // The client refused our certificate: exactly what a careful client does.
            await downstream.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            return;
        }
        var upstreamSocket = new TcpClient();
        await upstreamSocket.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token).ConfigureAwait(false);
        var upstream = new SslStream(upstreamSocket.GetStream(), leaveInnerStreamOpen: false);
        await upstream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, _stop.Token).ConfigureAwait(false);
        await Task.WhenAll(
            Pipes.PumpAsync(downstream, upstream, Plaintext, _stop.Token),
            Pipes.PumpAsync(upstream, downstream, Plaintext, _stop.Token)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] tasks;
        lock (_tasks) tasks = [.. _tasks];
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or AuthenticationException)
        {
            // Cut off while connecting upstream: nothing to keep.
        }
        _certificate.Dispose();
        _stop.Dispose();
    }
}

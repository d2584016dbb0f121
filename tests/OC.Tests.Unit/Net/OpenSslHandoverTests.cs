using System.Security.Cryptography;
using OC.Appliance.Net.Tls;
using OC.Appliance.Security;
using OC.Protocol.Framing;
using OC.Tests.Storage;

namespace OC.Tests.Net;

/// <summary>
/// The OpenSSL engine hands each connection over from OpenSSL (the handshake) to the appliance's
/// own record layer: tested against .NET's SslStream as the client (OpenSSL underneath on Linux,
/// an independent implementation of the records), over memory on this thread.
/// </summary>
public sealed class OpenSslHandoverTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly TlsListener _listener;
    private readonly ByteBuffer _wire = new();
    private readonly OpenSslSession _session;
    private readonly MemoryTlsClient _client = new();

    public OpenSslHandoverTests()
    {
        Assert.True(OpenSslServer.IsAvailable(), "libssl.so.3 is on every Linux test machine");
        var identity = TlsIdentity.LoadOrCreate(_folder.Path, "unit", "0123456789abcdef0123456789abcdef", DateTimeOffset.UtcNow);
        _listener = TlsListener.Create(identity.Files, TlsListener.OpenSsl);
        _session = (OpenSslSession)_listener.Server.CreateSession(_wire);
    }

    [Fact]
    public void Data_sent_with_the_clients_Finished_reaches_the_record_layer()
    {
        Assert.Equal(0, Feed(_client.TakeSent(), out _)); // ClientHello: the server's flight is on the wire
        DeliverToClient();
        Assert.True(_client.Handshake.IsCompletedSuccessfully);
        Assert.False(_session.IsHandshakeDone);

        // The client's Finished and its first frame in one piece, as a fast client sends them.
        _client.Ssl.Write("HELLO right after Finished"u8);
        Assert.Equal(0, Feed(_client.TakeSent(), out var received));

        Assert.True(_session.IsHandshakeDone);
        Assert.NotNull(_session.Records);
        Assert.Equal("HELLO right after Finished"u8.ToArray(), received);
        Assert.True(_wire.IsEmpty, "no tickets and nothing else after the handshake");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Our_KeyUpdate_is_understood_by_an_OpenSSL_client_and_its_answer_by_us(bool requestPeer)
    {
        Handshake();
        _session.Records!.UpdateWriteKey(requestPeer);
        var down = RandomNumberGenerator.GetBytes(30_000);
        Assert.True(_session.Encrypt(down));
        Assert.Equal(down, ClientReads(down.Length));

        var up = RandomNumberGenerator.GetBytes(30_000);
        _client.Ssl.Write(up);
        Assert.Equal(0, Feed(_client.TakeSent(), out var received));

        Assert.Equal(up, received);
        Assert.Equal(1, _session.Records.WriteUpdates);
        // Asked, the client moved its own keys too (its KeyUpdate came before its data).
        Assert.Equal(requestPeer ? 1 : 0, _session.Records.ReadUpdates);
        Assert.Null(_session.Error);
    }

    [Fact]
    public void The_handshake_keeps_to_the_AES_GCM_suites()
    {
        Handshake();
        Assert.True(_client.Ssl.NegotiatedCipherSuite is System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256
            or System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384, $"{_client.Ssl.NegotiatedCipherSuite}");
    }

    private void Handshake()
    {
        Assert.Equal(0, Feed(_client.TakeSent(), out _));
        DeliverToClient();
        Assert.Equal(0, Feed(_client.TakeSent(), out _));
        Assert.True(_session.IsHandshakeDone);
    }

    private int Feed(byte[] cipher, out byte[] received)
    {
        _session.Feed(cipher, 0, cipher.Length);
        var into = new ByteBuffer();
        var plain = new byte[64 * 1024];
        int n;
        while ((n = _session.Decrypt(plain)) > 0) into.Write(plain.AsSpan(0, n));
        received = into.Span.ToArray();
        return n;
    }

    private void DeliverToClient()
    {
        var cipher = _wire.Span.ToArray();
        _wire.Release();
        _client.Deliver(cipher);
    }

    private byte[] ClientReads(int count)
    {
        var into = new byte[count];
        int got = 0;
        while (got < count)
        {
            var read = _client.Ssl.ReadAsync(into.AsMemory(got));
            DeliverToClient();
            Assert.True(read.IsCompleted, $"the client waits for more after {got} of {count} bytes");
            got += read.Result;
        }
        return into;
    }

    public void Dispose()
    {
        _session.Dispose();
        _listener.Dispose();
        _client.Dispose();
        _wire.Release();
        _folder.Dispose();
    }
}

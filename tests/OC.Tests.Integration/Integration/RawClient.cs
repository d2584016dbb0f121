using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Integration;

/// <summary>
/// A bare client for feeding the appliance bytes that no polite client would send: inside TLS
/// (any certificate accepted: the bytes are the subject, not the trust) or, with tls false, on
/// the bare socket (to a plaintext listener, or to see what a TLS port does with plaintext).
/// </summary>
internal sealed class RawClient : IDisposable
{
    // For a hang only: the appliance answers on loopback in milliseconds.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ByteBuffer _input = new();

    public RawClient(int port, bool tls = true)
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        Socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        Stream = new NetworkStream(Socket, ownsSocket: false);
        if (!tls) return;
        var ssl = new SslStream(Stream, leaveInnerStreamOpen: false);
        try
        {
            ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = "",
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            Stream = ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // Refused before TLS (too many connections): the ERROR came in plaintext; tests read it with TlsFailure.
            TlsFailure = e;
            ssl.Dispose();
            Stream = Stream.Null;
        }
    }

    /// <summary>The socket itself: TCP options, shutdown, poll. Bytes go through <see cref="Send(ReadOnlySpan{byte})"/>.</summary>
    public Socket Socket { get; }

    /// <summary>TLS (or the bare socket with tls false).</summary>
    public Stream Stream { get; private set; }

    /// <summary>Why the TLS handshake failed (the appliance refused or closed the connection first); null when it succeeded.</summary>
    public Exception? TlsFailure { get; }

    public void Send(ReadOnlySpan<byte> bytes) => Stream.Write(bytes);

    public void Send(Action<ByteBuffer> write)
    {
        var buffer = new ByteBuffer();
        write(buffer);
        Send(buffer.Span);
    }

    public void SendHello() => Send(b => Hello.Write(b, 1, new Hello(1, 1, "raw")));

    /// <summary>The next frame, or null when the appliance closed the connection first.</summary>
    public (FrameHeader Header, byte[] Payload)? ReadFrame()
    {
        var chunk = new byte[4096];
        while (true)
        {
            var status = FrameParser.TryReadFrame(_input.Span, Frame.DefaultMaxPayload * 4, out var header);
            if (status == FrameStatus.Complete)
            {
                var payload = FrameParser.Payload(_input.Span, header).ToArray();
                _input.Consume(header.TotalLength);
                return (header, payload);
            }
            Assert.Equal(FrameStatus.NeedMoreData, status);
            int n;
            try
            {
                n = Stream.Read(chunk);
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset }
                || (e.InnerException is null && Stream is SslStream))
            {
                // Reset, or (TLS) the stream ended in the middle of a record: the appliance cut the connection.
                return null;
            }
            if (n == 0) return null;
            _input.Write(chunk.AsSpan(0, n));
        }
    }

    public ErrorReply ReadError(uint expectedRequestId)
    {
        var frame = ReadFrame();
        Assert.NotNull(frame);
        Assert.Equal(FrameType.Error, frame.Value.Header.Type);
        Assert.Equal(expectedRequestId, frame.Value.Header.RequestId);
        Assert.True(ErrorReply.TryRead(frame.Value.Payload, out var error));
        return error;
    }

    /// <summary>Waits for the appliance to close the connection (reads until end of stream).</summary>
    public void AssertClosedByAppliance()
    {
        var frame = ReadFrame();
        Assert.True(frame is null, $"expected the connection to be closed, got {frame?.Header.Type}");
    }

    public void Dispose()
    {
        Stream.Dispose();
        Socket.Dispose();
    }
}

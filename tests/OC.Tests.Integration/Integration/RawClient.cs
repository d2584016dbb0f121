using System.Net;
using System.Net.Sockets;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Integration;

/// <summary>A bare TCP client for feeding the appliance bytes that no polite client would send.</summary>
internal sealed class RawClient : IDisposable
{
    // For a hang only: the appliance answers on loopback in milliseconds.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ByteBuffer _input = new();

    public RawClient(int port)
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        Socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
    }

    public Socket Socket { get; }

    public void Send(ReadOnlySpan<byte> bytes) => Socket.Send(bytes);

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
                n = Socket.Receive(chunk);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
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

    public void Dispose() => Socket.Dispose();
}

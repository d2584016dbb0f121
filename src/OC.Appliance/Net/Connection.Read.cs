using System.Net.Sockets;
using OC.Protocol.Framing;

namespace OC.Appliance.Net;

internal sealed partial class Connection
{
    // Bounded per event so one busy client cannot starve the others; level-triggered polling
    // brings us back for the rest.
    private const int MaxReadsPerEvent = 4;

    private void Receive()
    {
        var shared = _manager.ReceiveBuffer;
        for (int i = 0; i < MaxReadsPerEvent && !IsClosed && !_cutOff && !_readPaused; i++)
        {
            int n = _socket.Receive(shared, 0, shared.Length, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success)
            {
                Close(error == SocketError.ConnectionReset ? "reset by peer" : $"receive failed: {error}");
                return;
            }
            if (n == 0)
            {
                Close("closed by peer");
                return;
            }
            LastActivityMs = _manager.Loop.Time.NowMs();
            _manager.BytesReceived += n;

            if (_input.IsEmpty)
            {
                // The common case: frames straight from the shared buffer, no copy. Only the
                // tail of a partial frame is kept, in this connection's own buffer.
                int used = ProcessFrames(shared.AsSpan(0, n));
                if (!IsClosed && used < n) _input.Write(shared.AsSpan(used, n - used));
            }
            else
            {
                _input.Write(shared.AsSpan(0, n));
                int used = ProcessFrames(_input.Span);
                if (IsClosed) return;
                _input.Consume(used);
                if (_input.IsEmpty) _input.Release();
            }
            if (n < shared.Length) return;
        }
    }

    /// <summary>Dispatches every whole frame at the start of <paramref name="data"/>; returns the bytes used.</summary>
    private int ProcessFrames(ReadOnlySpan<byte> data)
    {
        int offset = 0;
        while (!IsClosed && !_cutOff)
        {
            var rest = data[offset..];
            var status = FrameParser.TryReadFrame(rest, MaxPayload, out var header);
            if (status == FrameStatus.NeedMoreData) break;
            if (status != FrameStatus.Complete)
            {
                _manager.Sink.OnFramingError(this, status);
                Close($"framing error: {status}");
                break;
            }
            _manager.FramesReceived++;
            _manager.Sink.OnFrame(this, header, FrameParser.Payload(rest, header));
            offset += header.TotalLength;
            // A request may pause us (too many in flight): keep the rest for later.
            if (_readPaused) break;
        }
        return offset;
    }
}

using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

public sealed partial class OcConnection
{
    private async Task ReceiveLoopAsync()
    {
        var input = new ByteBuffer();
        try
        {
            while (true)
            {
                var memory = input.GetMemory(64 * 1024);
                int read = await _stream.ReadAsync(memory, _closing.Token).ConfigureAwait(false);
                if (read == 0) throw new OcConnectionException("the appliance closed the connection");
                input.Advance(read);
                DispatchFrames(input);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            Fail(e as OcConnectionException ?? new OcConnectionException("connection to the appliance lost: " + e.Message, e));
        }
        finally
        {
            input.Release();
            var reason = Closed();
            foreach (var pending in _pending.Values) pending.TrySetException(reason);
            _events.Writer.TryComplete(reason);
        }
    }

    private void DispatchFrames(ByteBuffer input)
    {
        while (true)
        {
            var status = FrameParser.TryReadFrame(input.Span, Math.Max(_maxPayload, Frame.DefaultMaxPayload) * 2, out var header);
            if (status == FrameStatus.NeedMoreData) return;
            if (status != FrameStatus.Complete)
            {
                // Before WELCOME, garbage means the peer is something else (a web server, say).
                throw new OcConnectionException(Welcome.Version == 0
                    ? $"{_peer} does not speak the OC protocol: is it an OC appliance?"
                    : $"the appliance sent a bad frame ({status})");
            }

            var frame = new ReceivedFrame(header.Type, header.RequestId, FrameParser.Payload(input.Span, header).ToArray());
            input.Consume(header.TotalLength);

            if (frame.RequestId != Frame.NoRequest && _pending.TryGetValue(frame.RequestId, out var waiter))
            {
                waiter.TrySetResult(frame);
            }
            else if (frame.Type == FrameType.Error && frame.RequestId == Frame.NoRequest
                && (!ErrorReply.TryRead(frame.Payload, out var error) || error.Code.ClosesConnection()))
            {
                // An error about the connection itself: the appliance closes it next. (Codes from
                // 100 with request id 0 are about a file stream and go to Events.)
                Fail(new OcConnectionException(error.Message, new OcErrorException(error)));
            }
            else if (frame.Type == FrameType.Ping)
            {
                _ = SendAsync(b => EmptyFrame.Write(b, FrameType.Pong, frame.RequestId));
            }
            else
            {
                _events.Writer.TryWrite(frame);
            }
        }
    }

    /// <summary>Sends a PING when half the idle timeout has passed, so a quiet connection stays up.</summary>
    private async Task KeepAliveLoopAsync()
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, Welcome.IdleTimeoutSeconds / 3.0));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                await RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id), _closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or OcErrorException)
        {
            // The receive loop reports why the connection ended.
        }
    }
}

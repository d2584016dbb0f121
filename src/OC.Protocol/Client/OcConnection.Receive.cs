using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

public sealed partial class OcConnection
{
    // Large reads: a file download arrives in 256 KiB frames.
    private const int ReceiveSize = 256 * 1024;

    private async Task ReceiveLoopAsync()
    {
        var input = new ByteBuffer();
        try
        {
            while (true)
            {
                var memory = input.GetMemory(ReceiveSize);
                int read = await _stream.ReadAsync(memory, _closing.Token).ConfigureAwait(false);
                if (read == 0) throw new OcConnectionException("the appliance closed the connection");
                input.Advance(read);

                // A full Events queue holds up the frames behind it (see EventQueueFrames).
                while (DispatchFrames(input) is { } waiting)
                {
                    await _events.Writer.WriteAsync(waiting, _closing.Token).ConfigureAwait(false);
                }
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
            CloseSubscriptions(reason);
        }
    }

    /// <summary>
    /// Acts on the whole frames in <paramref name="input"/> and consumes them. Returns a frame for
    /// <see cref="Events"/> that did not fit (consumed too; the caller waits to queue it, then calls
    /// again), else null once only a partial frame is left.
    /// </summary>
    private ReceivedFrame? DispatchFrames(ByteBuffer input)
    {
        while (true)
        {
            var status = FrameParser.TryReadFrame(input.Span, Math.Max(_maxPayload, Frame.DefaultMaxPayload) * 2, out var header);
            if (status == FrameStatus.NeedMoreData) return null;
            if (status != FrameStatus.Complete)
            {
                // Before WELCOME, garbage means the peer is something else (a web server, say).
                throw new OcConnectionException(Welcome.Version == 0
                    ? $"{_peer} does not speak the OC protocol: is it an OC appliance?"
                    : $"the appliance sent a bad frame ({status})");
            }

            var payload = FrameParser.Payload(input.Span, header);
            ReceivedFrame? general = null;
            if (header.RequestId != Frame.NoRequest && _pending.TryGetValue(header.RequestId, out var waiter))
            {
                waiter.TrySetResult(new ReceivedFrame(header.Type, header.RequestId, payload.ToArray()));
            }
            else if (header.Type == FrameType.Error && header.RequestId == Frame.NoRequest
                && (!ErrorReply.TryRead(payload, out var error) || error.Code.ClosesConnection()))
            {
                // An error about the connection itself: the appliance closes it next. (Codes from
                // 100 with request id 0 are about a file stream: see TryRouteToFile.)
                Fail(new OcConnectionException(error.Message, new OcErrorException(error)));
            }
            else if (header.Type == FrameType.Ping)
            {
                uint ping = header.RequestId;
                _ = SendAsync(b => EmptyFrame.Write(b, FrameType.Pong, ping));
            }
            else if (header.RequestId != Frame.NoRequest || !TryRouteToFile(header.Type, payload))
            {
                // An event, or a reply whose request gave up waiting.
                general = new ReceivedFrame(header.Type, header.RequestId, payload.ToArray());
            }

            input.Consume(header.TotalLength);
            if (general is not null && !_events.Writer.TryWrite(general)) return general;
        }
    }

    /// <summary>Sends a PING when half the idle timeout has passed, so a quiet connection stays up.</summary>
    private async Task KeepAliveLoopAsync()
    {
        // At most hourly: a PeriodicTimer takes no period beyond about 49 days, and an appliance
        // may announce any idle timeout (a u32 of seconds).
        var period = TimeSpan.FromSeconds(Math.Clamp(Welcome.IdleTimeoutSeconds / 3.0, 1, 3600));
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

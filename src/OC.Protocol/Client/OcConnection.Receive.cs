using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

public sealed partial class OcConnection
{
    // Large reads: a file download arrives in 256 KiB frames.
    private const int ReceiveSize = 256 * 1024;

    private IEventInterceptor? _interceptor;

    /// <summary>
    /// Lets <paramref name="interceptor"/> take pushed frames before <see cref="Events"/> until the
    /// returned handle is disposed. One at a time per connection.
    /// </summary>
    public IDisposable Intercept(IEventInterceptor interceptor)
    {
        ArgumentNullException.ThrowIfNull(interceptor);
        if (Interlocked.CompareExchange(ref _interceptor, interceptor, null) is not null)
            throw new InvalidOperationException("another stream is already being received on this connection");
        if (_closedBecause is { } reason) interceptor.OnClosed(reason);
        return new Interception(this, interceptor);
    }

    private sealed class Interception(OcConnection connection, IEventInterceptor interceptor) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref connection._interceptor, null, interceptor);
    }

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
            Volatile.Read(ref _interceptor)?.OnClosed(reason);
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

            var payload = FrameParser.Payload(input.Span, header);
            if (header.RequestId != Frame.NoRequest && _pending.TryGetValue(header.RequestId, out var waiter))
            {
                waiter.TrySetResult(new ReceivedFrame(header.Type, header.RequestId, payload.ToArray()));
            }
            else if (header.Type == FrameType.Error && header.RequestId == Frame.NoRequest
                && (!ErrorReply.TryRead(payload, out var error) || error.Code.ClosesConnection()))
            {
                // An error about the connection itself: the appliance closes it next. (Codes from
                // 100 with request id 0 are about a file stream and go to Events.)
                Fail(new OcConnectionException(error.Message, new OcErrorException(error)));
            }
            else if (header.Type == FrameType.Ping)
            {
                uint ping = header.RequestId;
                _ = SendAsync(b => EmptyFrame.Write(b, FrameType.Pong, ping));
            }
            else if (header.RequestId != Frame.NoRequest || Volatile.Read(ref _interceptor)?.TryTake(header.Type, payload) != true)
            {
                _events.Writer.TryWrite(new ReceivedFrame(header.Type, header.RequestId, payload.ToArray()));
            }
            input.Consume(header.TotalLength);
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

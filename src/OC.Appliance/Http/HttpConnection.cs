using System.Net.Sockets;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;
using OC.Protocol.Framing;

namespace OC.Appliance.Http;

/// <summary>
/// One HTTP connection on the loop, one request per connection: read the request head (at
/// most <see cref="HttpLimits.MaxRequestBytes"/>, before a deadline), answer it, send the answer
/// without blocking (asking for writable events only while some is left), then close gently:
/// shut down the sending side and read until the client closes too, so the answer is not lost
/// to a reset when the client had sent more than we read (see <see cref="HttpLimits.LingerTimeout"/>).
/// </summary>
internal sealed class HttpConnection : IEventHandler, ISlotted
{
    private enum Phase { Reading, Writing, Lingering }

    private readonly HttpServer _server;
    private readonly Socket _socket;
    private readonly ByteBuffer _input = new();
    private readonly ByteBuffer _output = new();
    private ulong _token;
    private Phase _phase = Phase.Reading;
    private PollEvents _interest = PollEvents.Readable;
    private int _lingered;

    public HttpConnection(HttpServer server, Socket socket, long id, long deadlineMs)
    {
        _server = server;
        _socket = socket;
        Id = id;
        DeadlineMs = deadlineMs;
        _token = server.Loop.Register(socket, this, _interest);
    }

    public long Id { get; }

    /// <summary>When the current phase must be over (<see cref="Clock.NowMs"/> of the loop's clock).</summary>
    public long DeadlineMs { get; private set; }

    public bool IsClosed { get; private set; }

    /// <summary>Position in the server's list (swap-remove).</summary>
    public int ListIndex { get; set; } = -1;

    public void OnEvents(PollEvents events)
    {
        bool readable = (events & (PollEvents.Readable | PollEvents.Error)) != 0;
        bool writable = (events & (PollEvents.Writable | PollEvents.Error)) != 0;
        switch (_phase)
        {
            case Phase.Reading when readable: Receive(); break;
            case Phase.Writing when writable: Flush(); break;
            case Phase.Lingering when readable: Linger(); break;
        }
    }

    /// <summary>Called by the server's sweep once <see cref="DeadlineMs"/> has passed.</summary>
    public void OnDeadline()
    {
        switch (_phase)
        {
            case Phase.Reading:
                _server.Counters.TimedOut++;
                // Best effort, one non-blocking send: a real client learns why; a slowloris
                // client gets nothing more than that.
                var timeout = new ByteBuffer();
                HttpResponse.Error(408, "no complete request in time").WriteTo(timeout, withBody: true, _server.Loop.Time.GetUtcNow());
                _socket.Send(timeout.Span, SocketFlags.None, out _);
                timeout.Release();
                _server.Counters.CountResponse(408);
                Close("no complete request in time");
                break;
            case Phase.Writing:
                _server.Counters.TimedOut++;
                Close("the response was not taken in time");
                break;
            case Phase.Lingering:
                Close("done");
                break;
        }
    }

    public void Close(string reason)
    {
        if (IsClosed) return;
        IsClosed = true;
        _server.Loop.Unregister(_token);
        _token = 0;
        _socket.Dispose();
        _input.Release();
        _output.Release();
        _server.OnClosed(this, reason);
    }

    private void Receive()
    {
        var limits = _server.Limits;
        var buffer = _server.ReceiveBuffer;
        int room = limits.MaxRequestBytes + 1 - _input.Length;
        int n = _socket.Receive(buffer.AsSpan(0, room), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) return;
        if (error != SocketError.Success)
        {
            Close(error == SocketError.ConnectionReset ? "reset by peer" : $"receive failed: {error}");
            return;
        }
        if (n == 0)
        {
            Close("closed by peer before a whole request");
            return;
        }
        _input.Write(buffer.AsSpan(0, n));

        switch (HttpRequestParser.Parse(_input.Span, limits, out var request, out var refusal))
        {
            case ParseStatus.Complete:
                Respond(_server.Handle(this, request), withBody: request.Method != RequestMethod.Head);
                break;
            case ParseStatus.Invalid:
                if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("http.bad_request", $"#{Id}: {refusal.Status} {refusal.Reason}");
                Respond(HttpResponse.Error(refusal.Status, refusal.Reason), withBody: true);
                break;
            case ParseStatus.NeedMoreData when _input.Length > limits.MaxRequestBytes:
                // The parser refuses anything this long; this is only a second line of defence.
                Respond(HttpResponse.Error(431), withBody: true);
                break;
        }
    }

    private void Respond(HttpResponse response, bool withBody)
    {
        _input.Release();
        _server.Counters.CountResponse(response.Status);
        var time = _server.Loop.Time;
        response.WriteTo(_output, withBody, time.GetUtcNow());
        _phase = Phase.Writing;
        DeadlineMs = time.NowMs() + (long)_server.Limits.WriteTimeout.TotalMilliseconds;
        Flush();
    }

    private void Flush()
    {
        while (!_output.IsEmpty)
        {
            int n = _socket.Send(_output.Span, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                SetInterest(PollEvents.Writable);
                return;
            }
            if (error != SocketError.Success)
            {
                Close(error is SocketError.ConnectionReset or SocketError.Shutdown ? "reset by peer" : $"send failed: {error}");
                return;
            }
            _output.Consume(n);
        }
        _output.Release();

        // All sent: FIN after the response, then wait for the client's FIN (or the linger deadline).
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            Close("reset by peer");
            return;
        }
        _phase = Phase.Lingering;
        DeadlineMs = _server.Loop.Time.NowMs() + (long)_server.Limits.LingerTimeout.TotalMilliseconds;
        SetInterest(PollEvents.Readable);
    }

    private void Linger()
    {
        var buffer = _server.ReceiveBuffer;
        int n = _socket.Receive(buffer, SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) return;
        if (error != SocketError.Success || n == 0)
        {
            Close("done");
            return;
        }
        _lingered += n;
        if (_lingered > _server.Limits.MaxLingerBytes) Close("done (the client kept sending)");
    }

    private void SetInterest(PollEvents wanted)
    {
        if (wanted == _interest) return;
        _interest = wanted;
        _server.Loop.SetInterest(_token, wanted);
    }
}

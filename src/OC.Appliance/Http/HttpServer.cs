using System.Net.Sockets;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;

namespace OC.Appliance.Http;

/// <summary>
/// The status page's HTTP/1.1 server, on the appliance's one event loop: accepts (up to
/// <see cref="HttpLimits.MaxConnections"/>), keeps the connection list, and sweeps it for
/// deadlines, so a client that sends slowly (slowloris) or never reads holds a connection for
/// a few seconds at most. Nothing here blocks or touches disk. Loop thread only.
/// </summary>
internal sealed class HttpServer
{
    private const long RefusalLogIntervalMs = 60_000;

    private readonly SlotList<HttpConnection> _connections = new();
    private readonly StatusEndpoints _endpoints;
    private long _nextId;
    private long _nextRefusalLogMs;

    public HttpServer(EventLoop loop, HttpLimits limits, StatusEndpoints endpoints, HttpCounters counters)
    {
        Loop = loop;
        Limits = limits;
        Counters = counters;
        _endpoints = endpoints;
        // Big enough to see that a request is one byte too long, and to discard lingering input in chunks.
        ReceiveBuffer = new byte[Math.Max(limits.MaxRequestBytes + 1, 16 * 1024)];
        // Deadlines are checked a few times per timeout: at most a quarter late, and never more often than 10 times a second.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(limits.RequestTimeout.TotalMilliseconds / 4, 100, 1000));
        loop.AddTimer(period, Sweep, period);
    }

    public EventLoop Loop { get; }
    public HttpLimits Limits { get; }
    public HttpCounters Counters { get; }

    /// <summary>One receive buffer for all HTTP connections: the loop reads one socket at a time.</summary>
    public byte[] ReceiveBuffer { get; }

    public int Count => _connections.Count;

    public void Accept(Socket socket)
    {
        long now = Loop.Time.NowMs();
        if (_connections.Count >= Limits.MaxConnections)
        {
            Counters.Refused++;
            // One line a minute at most: a flood of connections must not flood the log (nor push
            // everything else out of the status page's list of recent problems).
            if (now >= _nextRefusalLogMs)
            {
                _nextRefusalLogMs = now + RefusalLogIntervalMs;
                Log.Warn("http.connection_refused", $"at the limit of {Limits.MaxConnections} HTTP connections ({Counters.Refused} refused so far)");
            }
            socket.Dispose();
            return;
        }

        var connection = new HttpConnection(this, socket, ++_nextId, now + (long)Limits.RequestTimeout.TotalMilliseconds);
        _connections.Add(connection);
        Counters.Accepted++;
        Counters.Connections = _connections.Count;
    }

    /// <summary>The answer to a whole, well-formed request.</summary>
    internal HttpResponse Handle(HttpConnection connection, in HttpRequest request)
    {
        HttpResponse response;
        try
        {
            response = _endpoints.Handle(request);
        }
        catch (Exception e)
        {
            // A bug in rendering must cost one 500, never the loop.
            Log.Error("http.handler_failed", $"{request.Method} {request.Path}: {e.GetType().Name}: {e.Message}");
            response = HttpResponse.Error(500);
        }
        if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("http.request", $"#{connection.Id} {request.Method} {request.Path} HTTP/1.{request.MinorVersion}: {response.Status}");
        return response;
    }

    internal void OnClosed(HttpConnection connection, string reason)
    {
        _connections.Remove(connection);
        Counters.Connections = _connections.Count;
        if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("http.closed", $"#{connection.Id}: {reason}");
    }

    public void CloseAll(string reason)
    {
        for (int i = _connections.Count - 1; i >= 0; i--) _connections[i].Close(reason);
    }

    private void Sweep()
    {
        long now = Loop.Time.NowMs();
        // Backwards: a connection that closes is swapped with the last one, which was seen already.
        for (int i = _connections.Count - 1; i >= 0; i--)
        {
            if (i >= _connections.Count) continue;
            var connection = _connections[i];
            if (now >= connection.DeadlineMs) connection.OnDeadline();
        }
    }
}

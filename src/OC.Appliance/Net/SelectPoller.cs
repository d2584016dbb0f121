using System.Net.Sockets;

namespace OC.Appliance.Net;

/// <summary>
/// Portable backend on <see cref="Socket.Select(System.Collections.IList?, System.Collections.IList?, System.Collections.IList?, int)"/>.
/// It rebuilds its lists on every wait, so it costs O(sockets) per iteration: fine as a fallback
/// and for tests, not meant for ten thousand connections.
/// </summary>
internal sealed class SelectPoller : IPoller
{
    private readonly Dictionary<Socket, (ulong Token, PollEvents Interest)> _sockets = new(ReferenceEqualityComparer.Instance);
    private readonly List<Socket> _read = [];
    private readonly List<Socket> _write = [];
    private readonly List<Socket> _error = [];
    private readonly Dictionary<ulong, PollEvents> _fired = [];

    public string Name => "select";

    public void Add(Socket socket, ulong token, PollEvents interest) => _sockets.Add(socket, (token, interest));

    public void Modify(Socket socket, ulong token, PollEvents interest) => _sockets[socket] = (token, interest);

    public void Remove(Socket socket, ulong token) => _sockets.Remove(socket);

    public int Wait(Span<PollEvent> events, int timeoutMs)
    {
        _read.Clear();
        _write.Clear();
        _error.Clear();
        foreach (var (socket, (_, interest)) in _sockets)
        {
            if ((interest & PollEvents.Readable) != 0) _read.Add(socket);
            if ((interest & PollEvents.Writable) != 0) _write.Add(socket);
            _error.Add(socket);
        }

        if (_error.Count == 0)
        {
            // Select refuses three empty lists; there is nothing to wait for but the timeout.
            if (timeoutMs != 0) Thread.Sleep(timeoutMs < 0 ? Timeout.Infinite : timeoutMs);
            return 0;
        }

        // Socket.Select takes microseconds, and -1 for "forever".
        int micros = timeoutMs < 0 ? -1 : (int)Math.Min((long)timeoutMs * 1000, int.MaxValue);
        Socket.Select(_read.Count > 0 ? _read : null, _write.Count > 0 ? _write : null, _error, micros);

        _fired.Clear();
        Mark(_read, PollEvents.Readable);
        Mark(_write, PollEvents.Writable);
        Mark(_error, PollEvents.Error);

        int n = 0;
        foreach (var (token, fired) in _fired)
        {
            if (n == events.Length) break;
            events[n++] = new PollEvent(token, fired);
        }
        return n;
    }

    public void Dispose() => _sockets.Clear();

    private void Mark(List<Socket> ready, PollEvents what)
    {
        foreach (var socket in ready)
        {
            if (!_sockets.TryGetValue(socket, out var entry)) continue;
            _fired[entry.Token] = _fired.GetValueOrDefault(entry.Token) | what;
        }
    }
}

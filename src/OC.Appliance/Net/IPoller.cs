using System.Net.Sockets;

namespace OC.Appliance.Net;

[Flags]
internal enum PollEvents
{
    None = 0,
    Readable = 1,
    Writable = 2,
    /// <summary>Error or hang-up. Handlers treat it as readable and writable: the next call reports the cause.</summary>
    Error = 4,
}

/// <summary>One ready socket, identified by the token it was registered with.</summary>
internal readonly record struct PollEvent(ulong Token, PollEvents Events);

/// <summary>
/// The readiness multiplexer under the event loop (in the spirit of redis ae_epoll.c / ae_select.c).
/// Level-triggered: a socket stays ready until its data is read or its buffer drains, so a
/// handler may stop early (fairness) without losing an edge.
/// </summary>
internal interface IPoller : IDisposable
{
    string Name { get; }

    void Add(Socket socket, ulong token, PollEvents interest);

    void Modify(Socket socket, ulong token, PollEvents interest);

    void Remove(Socket socket, ulong token);

    /// <summary>Waits up to <paramref name="timeoutMs"/> (-1 = forever) and fills <paramref name="events"/>; returns the count.</summary>
    int Wait(Span<PollEvent> events, int timeoutMs);
}

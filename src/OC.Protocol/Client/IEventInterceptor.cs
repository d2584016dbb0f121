using OC.Protocol.Framing;

namespace OC.Protocol.Client;

/// <summary>
/// Takes pushed frames (request id 0) on the connection's receive loop before they become
/// <see cref="OcConnection.Events"/>: a stream (a download's FILE_DATA) is handled straight from
/// the receive buffer, with no copy per frame for the event queue and no per-frame allocation.
/// </summary>
public interface IEventInterceptor
{
    /// <summary>
    /// On the receive loop: true when the frame was taken (it will not appear in Events). The
    /// payload is valid only during the call. Must be quick and must not block.
    /// </summary>
    bool TryTake(FrameType type, ReadOnlySpan<byte> payload);

    /// <summary>The connection ended; nothing more will come.</summary>
    void OnClosed(Exception reason);
}

using OC.Protocol.Framing;

namespace OC.Protocol.Client;

/// <summary>
/// The pushed frames of one file transfer, routed to it by file id (<see cref="OcConnection.SubscribeFile"/>):
/// FILE_PROGRESS of an upload, FILE_DATA of a download. Called on the connection's receive loop, so a
/// stream is handled straight from the receive buffer, with no copy per frame and no queue between.
/// </summary>
public interface IFileSubscriber
{
    /// <summary>
    /// A FILE_PROGRESS or FILE_DATA frame of this file. The payload is valid only during the call.
    /// Must be quick and must not block: every other frame of the connection waits meanwhile.
    /// </summary>
    void OnFrame(FrameType type, ReadOnlySpan<byte> payload);

    /// <summary>
    /// An ERROR with request id 0 and a code from 100: a transfer of this connection failed. The frame
    /// carries no file id (docs/protocol.md, "Errors"), so every transfer of the connection is told.
    /// </summary>
    void OnStreamError(OcErrorException error);

    /// <summary>The connection ended; nothing more will come. May be called more than once.</summary>
    void OnClosed(Exception reason);
}

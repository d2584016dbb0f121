using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// Frames with an empty payload: PING (0x0004), PONG (0x0005), OK (0x0006), LOGOUT (0x0017),
/// WHOAMI (0x0018).
/// </summary>
public static class EmptyFrame
{
    public static void Write(ByteBuffer buffer, FrameType type, uint requestId) =>
        FrameWriter.Begin(buffer, type, requestId).End();

    public static bool TryRead(ReadOnlySpan<byte> payload) => payload.IsEmpty;
}

namespace OC.Protocol.Framing;

/// <summary>
/// The frame layout shared by both sides (docs/protocol.md, "Frames"):
/// <code>
/// offset size field
///      0    4 length      int32 BE: bytes that follow this field (type + request id + payload), 6..6+MaxPayload
///      4    2 type        uint16 BE, a <see cref="FrameType"/>
///      6    4 request id  uint32 BE: chosen by the client for a request, echoed in its reply; 0 in pushed events
///     10    n payload     n = length - 6
/// </code>
/// </summary>
public static class Frame
{
    public const int LengthFieldSize = 4;
    public const int HeaderSize = 10;

    /// <summary>Smallest legal value of the length field: a frame with an empty payload.</summary>
    public const int MinLengthValue = HeaderSize - LengthFieldSize;

    /// <summary>Largest payload the appliance accepts unless it announces otherwise in WELCOME.</summary>
    public const int DefaultMaxPayload = 1024 * 1024;

    /// <summary>The request id of a pushed event, and of an error about the connection as a whole.</summary>
    public const uint NoRequest = 0;
}

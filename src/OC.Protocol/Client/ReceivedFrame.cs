using OC.Protocol.Framing;

namespace OC.Protocol.Client;

/// <summary>A whole frame as the client received it; the payload is its own copy.</summary>
public sealed record ReceivedFrame(FrameType Type, uint RequestId, byte[] Payload);

namespace OC.Protocol.Framing;

/// <summary>A parsed frame header. <see cref="TotalLength"/> is the whole frame including the length field.</summary>
public readonly record struct FrameHeader(FrameType Type, uint RequestId, int PayloadLength)
{
    public int TotalLength => Frame.HeaderSize + PayloadLength;
}

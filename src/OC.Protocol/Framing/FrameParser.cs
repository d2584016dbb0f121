using System.Buffers.Binary;

namespace OC.Protocol.Framing;

public enum FrameStatus
{
    /// <summary>A whole frame is at the start of the buffer.</summary>
    Complete,
    /// <summary>The buffer holds only part of a frame (possibly of its header).</summary>
    NeedMoreData,
    /// <summary>The length field is below the minimum (including negative values).</summary>
    TooShort,
    /// <summary>The length field announces a payload above the maximum.</summary>
    TooLarge,
}

/// <summary>
/// Finds frame boundaries and nothing else: acting on frames is the caller's business
/// (as StackExchange.Redis keeps CommitAndParseFrames apart from command handling).
/// The length is validated as soon as its four bytes are there, before anything is
/// buffered or allocated for the frame, so a hostile length costs nothing.
/// </summary>
public static class FrameParser
{
    public static FrameStatus TryReadFrame(ReadOnlySpan<byte> buffer, int maxPayload, out FrameHeader header)
    {
        header = default;
        if (buffer.Length < Frame.LengthFieldSize) return FrameStatus.NeedMoreData;

        int length = BinaryPrimitives.ReadInt32BigEndian(buffer);
        if (length < Frame.MinLengthValue) return FrameStatus.TooShort;
        if (length - Frame.MinLengthValue > maxPayload) return FrameStatus.TooLarge;
        if (buffer.Length < Frame.HeaderSize) return FrameStatus.NeedMoreData;

        var type = (FrameType)BinaryPrimitives.ReadUInt16BigEndian(buffer[4..]);
        uint requestId = BinaryPrimitives.ReadUInt32BigEndian(buffer[6..]);
        header = new FrameHeader(type, requestId, length - Frame.MinLengthValue);
        return buffer.Length - Frame.LengthFieldSize >= length ? FrameStatus.Complete : FrameStatus.NeedMoreData;
    }

    /// <summary>The payload of a frame found by <see cref="TryReadFrame"/> at the start of <paramref name="buffer"/>.</summary>
    public static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> buffer, in FrameHeader header) =>
        buffer.Slice(Frame.HeaderSize, header.PayloadLength);
}

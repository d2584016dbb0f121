using System.Buffers.Binary;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Unit;

public class FrameParserTests
{
    private static byte[] ThreeFrames()
    {
        var buffer = new ByteBuffer();
        Hello.Write(buffer, 1, new Hello(1, 1, "tests 你好 🙂"));
        EmptyFrame.Write(buffer, FrameType.Ping, 2);
        ErrorReply.Write(buffer, 0, new ErrorReply(ErrorCode.Throttled, 7, "wait"));
        return buffer.Span.ToArray();
    }

    /// <summary>Feeds the bytes in chunks of the given sizes through the same loop a connection runs.</summary>
    private static List<(FrameHeader Header, byte[] Payload)> Parse(byte[] bytes, IEnumerable<int> chunkSizes)
    {
        var frames = new List<(FrameHeader, byte[])>();
        var input = new ByteBuffer();
        int offset = 0;
        foreach (int size in chunkSizes)
        {
            input.Write(bytes.AsSpan(offset, size));
            offset += size;
            while (FrameParser.TryReadFrame(input.Span, Frame.DefaultMaxPayload, out var header) == FrameStatus.Complete)
            {
                frames.Add((header, FrameParser.Payload(input.Span, header).ToArray()));
                input.Consume(header.TotalLength);
            }
        }
        Assert.Equal(bytes.Length, offset);
        Assert.True(input.IsEmpty, "bytes left over after the last frame");
        return frames;
    }

    private static void AssertThreeFrames(List<(FrameHeader Header, byte[] Payload)> frames)
    {
        Assert.Equal(3, frames.Count);
        Assert.Equal(FrameType.Hello, frames[0].Header.Type);
        Assert.Equal(1u, frames[0].Header.RequestId);
        Assert.True(Hello.TryRead(frames[0].Payload, out var hello));
        Assert.Equal("tests 你好 🙂", hello.ClientName);
        Assert.Equal(FrameType.Ping, frames[1].Header.Type);
        Assert.Equal(2u, frames[1].Header.RequestId);
        Assert.Empty(frames[1].Payload);
        Assert.True(ErrorReply.TryRead(frames[2].Payload, out var error));
        Assert.Equal(new ErrorReply(ErrorCode.Throttled, 7, "wait"), error);
    }

    [Fact]
    public void Frames_fed_whole_are_all_found()
    {
        var bytes = ThreeFrames();
        AssertThreeFrames(Parse(bytes, [bytes.Length]));
    }

    [Fact]
    public void Frames_split_at_every_offset_are_all_found()
    {
        var bytes = ThreeFrames();
        for (int split = 1; split < bytes.Length; split++)
        {
            AssertThreeFrames(Parse(bytes, [split, bytes.Length - split]));
        }
    }

    [Fact]
    public void Frames_fed_one_byte_at_a_time_are_all_found()
    {
        var bytes = ThreeFrames();
        AssertThreeFrames(Parse(bytes, Enumerable.Repeat(1, bytes.Length)));
    }

    [Theory]
    [InlineData(-1, FrameStatus.TooShort)]
    [InlineData(int.MinValue, FrameStatus.TooShort)]
    [InlineData(0, FrameStatus.TooShort)]
    [InlineData(5, FrameStatus.TooShort)]
    [InlineData(int.MaxValue, FrameStatus.TooLarge)]
    [InlineData(Frame.DefaultMaxPayload + 7, FrameStatus.TooLarge)]
    public void Bad_lengths_are_rejected_from_the_length_field_alone(int length, FrameStatus expected)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        Assert.Equal(expected, FrameParser.TryReadFrame(bytes, Frame.DefaultMaxPayload, out _));
    }

    [Fact]
    public void Largest_allowed_payload_needs_more_data_rather_than_failing()
    {
        var bytes = new byte[Frame.HeaderSize];
        BinaryPrimitives.WriteInt32BigEndian(bytes, Frame.DefaultMaxPayload + Frame.MinLengthValue);
        Assert.Equal(FrameStatus.NeedMoreData, FrameParser.TryReadFrame(bytes, Frame.DefaultMaxPayload, out var header));
        Assert.Equal(Frame.DefaultMaxPayload, header.PayloadLength);
    }

    [Fact]
    public void Empty_and_partial_headers_need_more_data()
    {
        var bytes = ThreeFrames();
        for (int n = 0; n < Frame.HeaderSize; n++)
        {
            Assert.Equal(FrameStatus.NeedMoreData, FrameParser.TryReadFrame(bytes.AsSpan(0, n), Frame.DefaultMaxPayload, out _));
        }
    }

    [Fact]
    public void Minimum_length_frame_has_an_empty_payload()
    {
        var buffer = new ByteBuffer();
        EmptyFrame.Write(buffer, FrameType.Ok, 9);
        Assert.Equal(Frame.HeaderSize, buffer.Length);
        Assert.Equal(FrameStatus.Complete, FrameParser.TryReadFrame(buffer.Span, 0, out var header));
        Assert.Equal(new FrameHeader(FrameType.Ok, 9, 0), header);
    }
}

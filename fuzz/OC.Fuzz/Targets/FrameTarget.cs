using OC.Protocol.Framing;

namespace OC.Fuzz.Targets;

/// <summary>
/// FrameParser.TryReadFrame over a stream of bytes, as a connection feeds it: frame after frame
/// until the parser asks for more or refuses. The first byte picks the payload limit (a stranger's
/// 4 KiB or the default 1 MiB). Checks: a complete frame lies inside the buffer and within the
/// limit, and written again with FrameWriter it is the same bytes; every shorter prefix of it is
/// "need more data" (the parser decides nothing before the frame is whole); nothing is allocated.
/// </summary>
internal sealed class FrameTarget : FuzzTarget
{
    private const int StrangerMaxPayload = 4096;
    // Made on first use: instrumented code may run only inside the fuzzer's callback.
    private ByteBuffer? _written;

    // The parser itself allocates nothing; the rewrite below rents from its ByteBuffer (pooled).
    private readonly AllocationBudget _budget = new("FrameParser", 0, 0);

    public override string Name => "frame";
    public override string Description => "FrameParser.TryReadFrame on a byte stream; frames re-serialise to the same bytes";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        int maxPayload = (input[0] & 1) == 0 ? StrangerMaxPayload : Frame.DefaultMaxPayload;
        var buffer = input[1..];
        while (true)
        {
            long start = _budget.Start();
            var status = FrameParser.TryReadFrame(buffer, maxPayload, out var header);
            _budget.Stop(start, buffer.Length);
            if (status != FrameStatus.Complete) return;

            Check.That(header.PayloadLength >= 0 && header.PayloadLength <= maxPayload, $"payload length {header.PayloadLength} outside 0..{maxPayload}");
            Check.That(header.TotalLength <= buffer.Length, "a complete frame longer than the buffer");
            var frame = buffer[..header.TotalLength];
            var payload = FrameParser.Payload(buffer, header);

            _written ??= new ByteBuffer();
            _written.Consume(_written.Length);
            var w = FrameWriter.Begin(_written, header.Type, header.RequestId);
            w.WriteRaw(payload);
            w.End();
            Check.That(_written.Span.SequenceEqual(frame), "the frame written again differs from the bytes read");

            if (frame.Length <= 64)
            {
                for (int cut = 0; cut < frame.Length; cut++)
                    Check.That(FrameParser.TryReadFrame(frame[..cut], maxPayload, out _) == FrameStatus.NeedMoreData, $"a {cut}-byte prefix of a frame is not 'need more data'");
            }
            buffer = buffer[header.TotalLength..];
        }
    }

    public override IEnumerable<(string, byte[])> Seeds()
    {
        // Every message seed is also a frame; a stream of three of them is one more.
        var frames = MessagesTarget.Frames().Select(f => (Name: f.Name, Bytes: f.Frame)).ToList();
        foreach (var (name, bytes) in frames.Take(12)) yield return (name, [1, .. bytes]);
        yield return ("stream-of-three", [1, .. frames[0].Bytes, .. frames[1].Bytes, .. frames[2].Bytes]);
        yield return ("stranger-ping", [0, .. frames.First(f => f.Name == "ping").Bytes]);
        yield return ("negative-length", [1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 4, 0, 0, 0, 1]);
        yield return ("header-only", [1, 0, 0, 0, 6]);
    }
}

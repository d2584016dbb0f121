using BenchmarkDotNet.Attributes;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Micro;

/// <summary>
/// The appliance's receive path finds frame boundaries in a buffer that holds many frames
/// (a pipelining client). One operation = one frame found. Must allocate nothing.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class FrameParserBenchmarks
{
    private const int FrameCount = 1000;
    private byte[] _frames = [];

    [GlobalSetup]
    public void Setup()
    {
        // Alternate PINGs (empty payload) and 64-byte payload frames, as a pipelined burst.
        var buffer = new ByteBuffer();
        var payload = new byte[64];
        for (int i = 0; i < FrameCount; i++)
        {
            if (i % 2 == 0)
            {
                EmptyFrame.Write(buffer, FrameType.Ping, (uint)i + 1);
            }
            else
            {
                var w = FrameWriter.Begin(buffer, FrameType.Register, (uint)i + 1);
                w.WriteRaw(payload);
                w.End();
            }
        }
        _frames = buffer.Span.ToArray();
        buffer.Release();
    }

    [Benchmark(OperationsPerInvoke = FrameCount)]
    public uint TryReadFrame_many_frames()
    {
        ReadOnlySpan<byte> data = _frames;
        uint sum = 0;
        while (true)
        {
            var status = FrameParser.TryReadFrame(data, Frame.DefaultMaxPayload, out var header);
            if (status != FrameStatus.Complete) break;
            sum += header.RequestId + (uint)FrameParser.Payload(data, header).Length;
            data = data[header.TotalLength..];
        }
        return sum;
    }
}

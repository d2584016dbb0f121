using BenchmarkDotNet.Attributes;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Micro;

/// <summary>
/// Decoding payloads. Fixed-size fields and counted byte fields read as spans must allocate
/// nothing. The message readers that return strings or arrays (e.g. <see cref="Register.TryRead"/>)
/// allocate those by design; they are measured here so the cost is known, not hidden.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class PayloadReaderBenchmarks
{
    private byte[] _fixed = [];
    private byte[] _register = [];

    [GlobalSetup]
    public void Setup()
    {
        // u16, u32, u32, u32, u64, bytes(32): WELCOME's numbers plus a session token.
        var buffer = new ByteBuffer();
        var w = FrameWriter.Begin(buffer, FrameType.Welcome, 1);
        w.WriteU16(1);
        w.WriteU32(1024 * 1024);
        w.WriteU32(90);
        w.WriteU32(256);
        w.WriteU64(0x0123456789abcdef);
        w.WriteBytes(new byte[32]);
        w.End();
        _fixed = buffer.Span[Frame.HeaderSize..].ToArray();

        buffer.Consume(buffer.Length);
        Register.Write(buffer, 1, new Register("bench", "", new byte[16], 4096, new byte[32], new byte[32]));
        _register = buffer.Span[Frame.HeaderSize..].ToArray();
        buffer.Release();
    }

    [Benchmark(Baseline = true)]
    public ulong Fixed_fields()
    {
        var r = new PayloadReader(_fixed);
        ulong sum = r.ReadU16();
        sum += r.ReadU32();
        sum += r.ReadU32();
        sum += r.ReadU32();
        sum += r.ReadU64();
        sum += (ulong)r.ReadBytes(32).Length;
        return r.Done ? sum : 0;
    }

    /// <summary>Allocates by design: two strings and three arrays (nick, email, salt, storedKey, serverKey).</summary>
    [Benchmark]
    public bool Register_TryRead() => Register.TryRead(_register, out _);
}

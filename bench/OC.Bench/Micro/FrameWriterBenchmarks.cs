using BenchmarkDotNet.Attributes;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Micro;

/// <summary>
/// The appliance's send path: replies written into a connection's <see cref="ByteBuffer"/>, which
/// is reused (emptied after each flush). One operation = one frame written. Must allocate nothing:
/// the buffer's array is rented once in setup and kept, as on a busy connection.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class FrameWriterBenchmarks
{
    private readonly ByteBuffer _buffer = new();
    private readonly byte[] _payload64 = new byte[64];
    private readonly byte[] _token = new byte[ProtocolLimits.SessionTokenBytes];
    private readonly Welcome _welcome = new(1, Frame.DefaultMaxPayload, 90, 256, "bench-appliance", "0123456789abcdef0123456789abcdef", "oc-appliance 0.1.0");
    private readonly ErrorReply _error = new(ErrorCode.InvalidSession, 0, "the session has ended; log in again");
    private LoggedIn _loggedIn;

    [GlobalSetup]
    public void Setup()
    {
        _loggedIn = new LoggedIn("", _token, 123456, "Alice");
        _buffer.GetSpan(4096); // rent the array once, as a connection that keeps talking would have it
    }

    [GlobalCleanup]
    public void Cleanup() => _buffer.Release();

    [Benchmark(Baseline = true)]
    public int Payload_64_bytes()
    {
        _buffer.Consume(_buffer.Length);
        var w = FrameWriter.Begin(_buffer, FrameType.Register, 42);
        w.WriteRaw(_payload64);
        w.End();
        return _buffer.Length;
    }

    [Benchmark]
    public int Pong()
    {
        _buffer.Consume(_buffer.Length);
        EmptyFrame.Write(_buffer, FrameType.Pong, 42);
        return _buffer.Length;
    }

    [Benchmark]
    public int ErrorReply_write()
    {
        _buffer.Consume(_buffer.Length);
        ErrorReply.Write(_buffer, 42, _error);
        return _buffer.Length;
    }

    [Benchmark]
    public int Welcome_write()
    {
        _buffer.Consume(_buffer.Length);
        Welcome.Write(_buffer, 42, _welcome);
        return _buffer.Length;
    }

    [Benchmark]
    public int Registered_write()
    {
        _buffer.Consume(_buffer.Length);
        Registered.Write(_buffer, 42, new Registered(123456));
        return _buffer.Length;
    }

    [Benchmark]
    public int LoggedIn_write()
    {
        _buffer.Consume(_buffer.Length);
        LoggedIn.Write(_buffer, 42, _loggedIn);
        return _buffer.Length;
    }
}

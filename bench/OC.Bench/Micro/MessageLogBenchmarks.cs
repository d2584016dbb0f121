using BenchmarkDotNet.Attributes;
using OC.Appliance.Storage.Messages;

namespace OC.Bench.Micro;

/// <summary>
/// The message worker's half of a message, for comparison with the loop's half
/// (<see cref="MessageRoutingBenchmarks"/>): <see cref="MessageLog.Append"/> stages the record and
/// indexes it; every 256 appends the group is committed (one write, no fsync: the disk is not what
/// is measured here). One invocation appends <see cref="Messages"/> messages to a fresh log, so
/// the growth of the in-memory indexes (MessageIndex's remarks: about 60 bytes a message, by
/// design) is counted as it happens on a new appliance; results are per message.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class MessageLogBenchmarks
{
    private const int Messages = 100_000;
    private const int GroupSize = 256;

    private readonly byte[] _id = new byte[16];
    private readonly byte[] _text = new byte[64];
    private string _directory = "";
    private MessageLog _log = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < _text.Length; i++) _text[i] = (byte)('a' + i % 26);
    }

    [IterationSetup]
    public void OpenFreshLog()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"oc-bench-log-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        _log = new MessageLog(_directory);
    }

    [IterationCleanup]
    public void DeleteLog()
    {
        _log.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One sender, one receiver (one pair of the chat load), ids unique as a client makes them.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public ulong Append_one_pair()
    {
        ulong seq = 0;
        for (int i = 1; i <= Messages; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_id, (ulong)i);
            seq = _log.Append(100_001, 100_002, _id, _text, 1_764_000_000_000).Seq;
            if (i % GroupSize == 0) _log.Commit(flushToDisk: false);
        }
        _log.Commit(flushToDisk: false);
        return seq;
    }
}

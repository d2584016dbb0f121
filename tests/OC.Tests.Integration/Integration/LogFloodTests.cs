using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Diagnostics;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Tests.Http;
using OC.Tests.Support;

namespace OC.Tests.Integration;

/// <summary>The log is one per process: these tests read it, so they run alone, after the others.</summary>
[CollectionDefinition(nameof(LogFloodTests), DisableParallelization = true)]
public sealed class LogFloodCollection;

/// <summary>
/// A client that floods the appliance with garbage neither floods its log nor pushes a real
/// problem off the status page (issue 11): the log writes a few lines of each kind from one
/// address a minute and then one line that counts the rest; the page keeps the latest line of
/// each kind. The minute ends on the appliance's clock, a fake one that the test moves.
/// </summary>
[Collection(nameof(LogFloodTests))]
public sealed class LogFloodTests : IDisposable
{
    private readonly LineCollector _lines = new();

    public LogFloodTests()
    {
        // A fresh minute: what other tests left in the counts is told (and dropped) now.
        Log.SummariseRepeats();
        Log.Output = _lines;
    }

    public void Dispose() => Log.Output = null;

    [Fact]
    public async Task A_flood_of_bad_frames_is_summarised_and_an_earlier_storage_error_stays_on_the_status_page()
    {
        var time = new FakeTimeProvider();
        // The disk counts as full: a registration fails with a real storage error, logged as ERR.
        using var appliance = new TestAppliance(configure: o => o with { Time = time, MinFreeBytes = long.MaxValue });
        var before = DateTime.UtcNow;
        await using (var connection = await appliance.ConnectAsync())
        {
            var refused = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.RegisterAsync(connection, "alice", "pw"));
            Assert.Equal(ErrorCode.StorageFailure, refused.Code);
        }

        // Then garbage: 300 connections from 127.0.0.1, each a frame length below the minimum.
        const int Flood = 300;
        var tooShort = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(tooShort, 0);
        for (int i = 0; i < Flood; i++)
        {
            using var raw = new RawClient(appliance.Port);
            raw.Send(tooShort);
            Assert.Equal(ErrorCode.MalformedFrame, raw.ReadError(Frame.NoRequest).Code);
        }

        // The log wrote the first few and held the rest back.
        var repeats = Log.Repeats.FreePerWindow;
        Assert.Equal(repeats, _lines.Count(l => l.Contains(" WRN protocol.bad_frame: ", StringComparison.Ordinal)));

        // The status page still shows the storage error, beside the latest bad frame and its count.
        using var http = StatusClient.Create(appliance.HttpPort);
        var problems = (await StatusClient.GetStatusAsync(http)).GetProperty("last_errors").EnumerateArray().ToList();
        var storage = Assert.Single(problems, p => p.GetProperty("event").GetString() == "storage.disk_full");
        Assert.Equal("ERR", storage.GetProperty("level").GetString());
        Assert.True(storage.GetProperty("time_utc").GetDateTime() >= before.AddSeconds(-1), "the storage error shown is not this test's");
        var garbage = Assert.Single(problems, p => p.GetProperty("event").GetString() == "protocol.bad_frame");
        Assert.True(garbage.GetProperty("count").GetInt64() >= Flood, garbage.ToString());
        Assert.Contains("frame length below the minimum", garbage.GetProperty("text").GetString(), StringComparison.Ordinal);

        // A minute later on the appliance's clock, one line tells of the rest.
        time.Advance(TimeSpan.FromMinutes(1));
        string summary = $" WRN protocol.bad_frame: and {Flood - repeats} more from 127.0.0.1 in the last minute";
        // Polled: the loop runs its minute timer on its own, within a second of real time; nothing signals a log line.
        await Eventually.TrueAsync(() => _lines.Any(l => l.EndsWith(summary, StringComparison.Ordinal)), Eventually.Deadline,
            "the summary line", () => string.Join('\n', _lines));
        Assert.Single(_lines, l => l.EndsWith(summary, StringComparison.Ordinal));
    }

    /// <summary>The log's lines, as the appliance writes them.</summary>
    private sealed class LineCollector : TextWriter, IEnumerable<string>
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value) => _lines.Enqueue(value ?? "");

        public IEnumerator<string> GetEnumerator() => _lines.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

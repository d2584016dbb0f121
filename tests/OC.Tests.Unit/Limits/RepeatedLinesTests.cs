using System.Net;
using OC.Appliance.Diagnostics;

namespace OC.Tests.Limits;

/// <summary>The log's summary of a flood: a few lines of each (event, address) a minute, then one line that counts the rest.</summary>
public sealed class RepeatedLinesTests
{
    private static readonly IPAddress Garbage = IPAddress.Parse("10.0.0.7");
    private static readonly IPAddress Other = IPAddress.Parse("10.0.0.8");

    private static int Written(RepeatedLines repeats, int lines, string evt, IPAddress? from, LogLevel level = LogLevel.Warn)
    {
        int written = 0;
        for (int i = 0; i < lines; i++) if (repeats.ShouldWrite(level, evt, from)) written++;
        return written;
    }

    [Fact]
    public void After_a_few_lines_a_minute_the_rest_are_counted_and_summarised_when_the_minute_ends()
    {
        var repeats = new RepeatedLines(freePerWindow: 5);
        Assert.Equal(5, Written(repeats, 3_517, "protocol.bad_frame", Garbage));
        // Another address, another event: counted on their own.
        Assert.Equal(2, Written(repeats, 2, "protocol.bad_frame", Other));
        Assert.Equal(5, Written(repeats, 9, "storage.fault", null, LogLevel.Error));

        var summary = repeats.EndWindow();
        Assert.Equal(2, summary.Count);
        Assert.Contains((LogLevel.Warn, "protocol.bad_frame", "and 3,512 more from 10.0.0.7 in the last minute"), summary);
        Assert.Contains((LogLevel.Error, "storage.fault", "and 4 more in the last minute"), summary);

        // A new minute: written again, and nothing to summarise for a quiet one.
        Assert.Equal(5, Written(repeats, 5, "protocol.bad_frame", Garbage));
        Assert.Empty(repeats.EndWindow());
        Assert.Empty(repeats.EndWindow());
    }

    [Fact]
    public void Keys_beyond_the_cap_are_counted_per_event_as_other_addresses()
    {
        var repeats = new RepeatedLines(freePerWindow: 1, maxKeys: 3);
        for (int i = 1; i <= 3; i++) Assert.True(repeats.ShouldWrite(LogLevel.Warn, "protocol.refused", IPAddress.Parse($"10.0.1.{i}")));
        for (int i = 4; i <= 200; i++) Assert.False(repeats.ShouldWrite(LogLevel.Warn, "protocol.refused", IPAddress.Parse($"10.0.1.{i}")));

        var summary = Assert.Single(repeats.EndWindow());
        Assert.Equal((LogLevel.Warn, "protocol.refused", "and 197 more from other addresses in the last minute"), summary);
    }
}

using OC.Appliance.Diagnostics;
using OC.Appliance.Http;

namespace OC.Tests.Http;

/// <summary>Rendering and the problem ring, without sockets.</summary>
public sealed class StatusPageTests
{
    private const string Hostile = "<img src=x onerror=alert(1)>\"'&";

    private static ApplianceStatus Status(string name, IReadOnlyList<StatusLogLine> lastErrors) => new()
    {
        Name = name,
        Version = "0.1.0",
        ProtocolVersion = 1,
        ApplianceId = "00112233445566778899aabbccddeeff",
        Poller = "epoll",
        StartedUtc = DateTime.UtcNow,
        UptimeSeconds = 93784,
        Healthy = false,
        StorageFault = true,
        UsersRegistered = 1234567,
        UsersOnline = 12,
        SessionsOnline = 14,
        FriendRequestsPending = 3,
        Blocks = 2,
        Connections = 20,
        ConnectionsAccepted = 40,
        MessagesStored = 0,
        MessagesPerSecond = 0,
        FilesStored = 0,
        FileBytesStored = 0,
        DiskFreeBytes = 3L * 1024 * 1024 * 1024 / 2,
        StorageGroupsCommitted = 1,
        StorageJobsCompleted = 1,
        StorageJobsFailed = 0,
        StorageFaults = 1,
        BytesReceived = 0,
        BytesSent = 0,
        FramesReceived = 0,
        SlowConsumersCut = 0,
        HttpConnections = 1,
        HttpRequests = 1,
        ProblemsLogged = lastErrors.Count,
        LastErrors = lastErrors,
    };

    [Fact]
    public void Every_dynamic_string_is_escaped()
    {
        var html = StatusPage.Render(
            Status(Hostile, [new StatusLogLine(DateTime.UtcNow, "ERR", Hostile, Hostile + "</td></tr></table><script>alert(2)</script>")]),
            nonce: "n\"once");

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("n\"once", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;", html, StringComparison.Ordinal);
        // Exactly one script element: the page's own.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script"));
    }

    [Fact]
    public void The_numbers_are_shown_formatted()
    {
        var html = StatusPage.Render(Status("lab", []), "abc");
        Assert.Contains(">1,234,567<", html, StringComparison.Ordinal);
        Assert.Contains(">1.5 GiB<", html, StringComparison.Ordinal);
        Assert.Contains(">1d 02:03:04<", html, StringComparison.Ordinal);
        Assert.Contains("storage fault", html, StringComparison.Ordinal);
        Assert.Contains("None since the appliance started.", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(5L * 1024 * 1024 * 1024 * 1024, "5.0 TiB")]
    [InlineData(-1, "unknown")]
    public void Bytes_are_shown_in_binary_units(long bytes, string expected) => Assert.Equal(expected, StatusFormat.Bytes(bytes));

    [Fact]
    public void The_ring_keeps_the_newest_problems_and_counts_them_all()
    {
        var ring = new RecentProblems(3);
        Assert.Empty(ring.Snapshot());
        for (int i = 1; i <= 5; i++) ring.Add(DateTime.UtcNow, i % 2 == 0 ? LogLevel.Error : LogLevel.Warn, "test.event", $"problem {i}");
        Assert.Equal(["problem 5", "problem 4", "problem 3"], ring.Snapshot().Select(e => e.Text));
        Assert.Equal(5, ring.Total);

        ring.Add(DateTime.UtcNow, LogLevel.Warn, "test.long", new string('x', 10_000));
        Assert.Equal(RecentProblems.MaxTextLength, ring.Snapshot()[0].Text.Length);
    }

    [Fact]
    public void Warnings_and_errors_reach_the_log_ring_and_info_does_not()
    {
        long before = Log.Recent.Total;
        Log.Info("test.info", "not a problem");
        Log.Warn("test.ring", "a warning for the status page");
        Assert.True(Log.Recent.Total >= before + 1);
        Assert.DoesNotContain(Log.Recent.Snapshot(), e => e.Event == "test.info");
    }
}

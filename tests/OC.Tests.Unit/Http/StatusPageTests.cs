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
        Tls = true,
        TlsFingerprint = "SHA256:" + Hostile,
        TlsEngine = "openssl",
        TlsHandshakes = 7,
        TlsPlaintextRefused = 1,
        StartedUtc = DateTime.UtcNow,
        UptimeSeconds = 93784,
        Healthy = false,
        StorageFault = true,
        UsersRegistered = 1234567,
        UsersOnline = 12,
        SessionsOnline = 14,
        UsersPresent = 10,
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
        RateLimitsOn = true,
        RateLimitKeys = 3,
        RateLimits = [new StatusRateLimit("message", "user", "20/s,60", 20, 60, 1234, "20 a second, 60 at once"), new StatusRateLimit(Hostile, "address", "off", 0, 0, 0, Hostile)],
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
    public void The_problems_keep_the_latest_line_of_each_kind_with_its_count()
    {
        var problems = new RecentProblems(3);
        Assert.Empty(problems.Snapshot());
        var t = new DateTime(2026, 11, 25, 18, 0, 0, DateTimeKind.Utc);
        problems.Add(t, LogLevel.Error, "storage.fault", "EIO on the data disk");
        for (int i = 1; i <= 5000; i++) problems.Add(t.AddMilliseconds(i), LogLevel.Warn, "protocol.bad_frame", $"garbage {i}");

        var shown = problems.Snapshot();
        Assert.Equal(["protocol.bad_frame", "storage.fault"], shown.Select(e => e.Event));
        Assert.Equal(("garbage 5000", 5000L), (shown[0].Text, shown[0].Count));
        Assert.Equal(("EIO on the data disk", 1L, LogLevel.Error), (shown[1].Text, shown[1].Count, shown[1].Level));
        Assert.Equal(5001, problems.Total);

        problems.Add(t.AddSeconds(10), LogLevel.Warn, "test.long", new string('x', 10_000));
        Assert.Equal(RecentProblems.MaxTextLength, problems.Snapshot()[0].Text.Length);
    }

    [Fact]
    public void Beyond_its_capacity_of_kinds_the_oldest_warning_goes_before_any_error()
    {
        var problems = new RecentProblems(3);
        var t = new DateTime(2026, 11, 25, 18, 0, 0, DateTimeKind.Utc);
        problems.Add(t, LogLevel.Error, "storage.fault", "EIO");
        problems.Add(t.AddSeconds(1), LogLevel.Warn, "kind.a", "a");
        problems.Add(t.AddSeconds(2), LogLevel.Warn, "kind.b", "b");
        problems.Add(t.AddSeconds(3), LogLevel.Warn, "kind.c", "c");
        problems.Add(t.AddSeconds(4), LogLevel.Warn, "kind.d", "d");

        Assert.Equal(["kind.d", "kind.c", "storage.fault"], problems.Snapshot().Select(e => e.Event));
    }

    [Fact]
    public void The_page_shows_how_often_each_problem_came_and_the_rate_limits()
    {
        var html = StatusPage.Render(Status("lab", [new StatusLogLine(DateTime.UtcNow, "WRN", "protocol.bad_frame", "garbage", 3512)]), "abc");
        Assert.Contains(">3,512<", html, StringComparison.Ordinal);
        Assert.Contains("Rate limits", html, StringComparison.Ordinal);
        Assert.Contains(">20 a second, 60 at once<", html, StringComparison.Ordinal);
        Assert.Contains(">1,234<", html, StringComparison.Ordinal);
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

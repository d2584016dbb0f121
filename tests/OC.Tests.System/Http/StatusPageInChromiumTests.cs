using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using OC.Tests.EndToEnd;
using OC.Tests.Integration;
using Xunit.Abstractions;

namespace OC.Tests.Http;

/// <summary>
/// The status page as a browser shows it: `oc-appliance` as a process (the AOT binary under
/// ./test.sh), a few users and one warning so that every part of the page has something in it,
/// then headless Chromium takes screenshots (artifacts/test-results/status-page*.png, for a human
/// to look at) and dumps the DOM after the page's script has fetched /api/status.
/// Needs Debian's `chromium` (or OC_CHROMIUM naming a Chromium or Chrome binary).
/// </summary>
public sealed partial class StatusPageInChromiumTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromSeconds(90);
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _data = TempDirectory.Create("oc-chromium");
    private readonly string _profiles = TempDirectory.Create("oc-chromium-profile");

    public void Dispose()
    {
        TempDirectory.Delete(_data);
        TempDirectory.Delete(_profiles);
    }

    [GeneratedRegex(@"<span id=""updated"">updated [^<]+</span>")]
    private static partial Regex UpdatedByScript();

    [GeneratedRegex(@"data-k=""users_registered"" data-f=""int"">(\d+)<")]
    private static partial Regex UsersRegistered();

    [GeneratedRegex(@"data-k=""users_online"" data-f=""int"">(\d+)<")]
    private static partial Regex UsersOnline();

    [Fact]
    public async Task Chromium_renders_the_live_numbers_and_a_screenshot_worth_looking_at()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            RequiredTool.Missing(output, "no Chromium: apt-get install -y chromium (or set OC_CHROMIUM)");
            return;
        }

        using var appliance = new ApplianceProcess(_data, "--name", "Lab appliance");
        int httpPort = Assert.NotNull(appliance.HttpPort);
        await using var online = await appliance.ConnectAsync();
        uint first = await TestUsers.RegisterAsync(online, "alice", "pw");
        foreach (var nick in new[] { "bob", "carol" })
        {
            await using var connection = await appliance.ConnectAsync();
            await TestUsers.RegisterAsync(connection, nick, "pw");
        }
        await TestUsers.LoginAsync(online, first, "pw");
        await SendGarbageAsync(appliance.Port);
        using (var http = StatusClient.Create(httpPort))
        {
            // The garbage connection was closed after its warning was logged (SendGarbageAsync read
            // the close), but bob's and carol's closed sockets are noticed by the loop on its own
            // time, with no signal to a client that has gone (it logs them at Debug only).
            await StatusClient.WaitForStatusAsync(http, s => s.GetProperty("problems_logged").GetInt64() >= 1 && s.GetProperty("connections").GetInt32() == 1,
                "the warning counted and only alice's connection open");
        }
        string url = $"http://127.0.0.1:{httpPort}/";

        // The script's first refresh is 2 s after load; 5 s of virtual time let it run (twice).
        var dom = await RunAsync(chromium, "dom", "--dump-dom", "--virtual-time-budget=5000", url);
        Assert.True(dom.ExitCode == 0, dom.ToString());
        string html = dom.Stdout;
        Assert.Contains("<h1 data-k=\"name\">Lab appliance</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<title>Lab appliance · OC appliance</title>", html, StringComparison.Ordinal);
        Assert.Equal("3", UsersRegistered().Match(html).Groups[1].Value);
        Assert.Contains("registered · ", html, StringComparison.Ordinal);
        Assert.Equal("1", UsersOnline().Match(html).Groups[1].Value);
        Assert.Contains("<span id=\"health\" class=\"pill\">healthy</span>", html, StringComparison.Ordinal);
        Assert.Contains("net.plaintext_refused", html, StringComparison.Ordinal);
        // Only the script writes "updated <time>" (the server sends "updates every 2 s"): the fetch of /api/status worked.
        Assert.Matches(UpdatedByScript(), html);
        output.WriteLine("DOM after the script's refresh: name, 3 users registered, 1 online, healthy, the plaintext-refused warning, \"updated ...\"");

        foreach (var (file, size) in new[] { ("status-page.png", (1200, 900)), ("status-page-narrow.png", (390, 844)) })
        {
            string png = TestResults.PathOf(file);
            File.Delete(png);
            var shot = await RunAsync(chromium, file, $"--screenshot={png}", $"--window-size={size.Item1},{size.Item2}", "--hide-scrollbars", "--virtual-time-budget=5000", url);
            Assert.True(File.Exists(png), $"no screenshot at {png}: {shot}");
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.True(bytes.AsSpan().StartsWith(PngSignature), $"{png} is not a PNG");
            // IHDR, the first chunk: width and height, big-endian, at 16 and 20.
            Assert.Equal(size, (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
            // A blank or single-colour page of that size compresses to a few KiB; the rendered page is tens of KiB.
            Assert.True(bytes.Length > 15_000, $"{png} is only {bytes.Length} bytes: nothing rendered?");
            output.WriteLine($"screenshot {size.Item1}x{size.Item2}: {png} ({bytes.Length:N0} bytes)");
        }

        Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Debian's /usr/bin/chromium, else whatever OC_CHROMIUM names.</summary>
    private static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("OC_CHROMIUM") is { Length: > 0 } named) return named;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    /// <summary>Plaintext (an HTTP request) to the TLS port: the appliance logs net.plaintext_refused (a warning) and closes.</summary>
    private static async Task SendGarbageAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        await RawHttp.ReadToEndAsync(socket, RawHttp.Timeout);
    }

    private async Task<BrowserRun> RunAsync(string chromium, string profile, params string[] args)
    {
        // Headless, no sandbox (tests may run as root), nothing fetched but the page itself, a fresh profile each run.
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(_profiles, profile)}",
        })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);

        var started = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(BrowserTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium {string.Join(' ', args)} did not exit within {BrowserTimeout.TotalSeconds} s");
        }
        output.WriteLine($"$ {chromium} ... {string.Join(' ', args)}  -> exit {process.ExitCode} in {started.Elapsed.TotalSeconds:F1} s");
        return new BrowserRun(process.ExitCode, await stdout, await stderr);
    }

    private sealed record BrowserRun(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstderr: {Stderr}\nstdout: {(Stdout.Length > 2000 ? Stdout[..2000] + "..." : Stdout)}";
    }
}

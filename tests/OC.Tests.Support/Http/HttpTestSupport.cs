using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OC.Tests.Support;

namespace OC.Tests.Http;

/// <summary>A response as it came off the wire: status, headers (names lower-cased), body.</summary>
internal sealed record RawHttpResponse(int Status, Dictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public static RawHttpResponse Parse(byte[] raw)
    {
        int end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, "no end of headers in: " + Encoding.ASCII.GetString(raw));
        var lines = Encoding.ASCII.GetString(raw, 0, end).Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        Assert.Equal("HTTP/1.1", statusLine[0]);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, "malformed header line: " + line);
            var name = line[..colon].ToLowerInvariant();
            Assert.False(headers.ContainsKey(name), "header sent twice: " + name);
            headers[name] = line[(colon + 1)..].Trim();
        }
        return new RawHttpResponse(int.Parse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture), headers, raw[(end + 4)..]);
    }
}

/// <summary>HTTP from a bare socket, for requests that HttpClient would not send.</summary>
internal static class RawHttp
{
    /// <summary>For a hang only: an answer on loopback takes milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>Sends <paramref name="request"/> and reads until the appliance closes the connection.</summary>
    public static async Task<RawHttpResponse> ExchangeAsync(int port, string request) =>
        await ExchangeAsync(port, Encoding.ASCII.GetBytes(request));

    public static async Task<RawHttpResponse> ExchangeAsync(int port, byte[] request)
    {
        using var socket = Connect(port);
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
            // The appliance may answer and close before it has read everything: the answer counts.
        }
        var raw = await ReadToEndAsync(socket, Timeout);
        return RawHttpResponse.Parse(raw);
    }

    /// <summary>Reads until end of stream (or a reset, after whatever arrived); fails after <paramref name="timeout"/>.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the appliance did not close the connection within {timeout.TotalSeconds} s");
            }
            if (n == 0) break;
            received.Write(chunk, 0, n);
        }
        return received.ToArray();
    }
}

/// <summary>The status page through HttpClient, as a browser or Prometheus would fetch it.</summary>
internal static class StatusClient
{
    public static HttpClient Create(int port) => new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        Timeout = RawHttp.Timeout,
    };

    public static async Task<JsonElement> GetStatusAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("api/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Polls /api/status until <paramref name="condition"/> holds. Only for what nothing signals to
    /// a test, such as the loop noticing, on its own time, that a client closed its socket (a
    /// client that closed has nothing left to hear it on); the caller says why.
    /// </summary>
    public static Task<JsonElement> WaitForStatusAsync(HttpClient http, Func<JsonElement, bool> condition, string waitingFor) =>
        Eventually.MatchesAsync(() => GetStatusAsync(http), condition, Eventually.Deadline, waitingFor);
}

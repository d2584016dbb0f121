using System.Text;
using OC.Appliance.Http;

namespace OC.Fuzz.Targets;

/// <summary>
/// The status page's HttpRequestParser, fed as HttpConnection feeds it: everything received so
/// far, at most MaxRequestBytes + 1 bytes. Checks: a refusal carries one of the statuses the
/// parser documents; a complete request has an origin-form path and version 1.0 or 1.1; and
/// garbage is refused as soon as it arrives: if the whole input is not refused, no prefix of it
/// was (a connection that received it in pieces would have been answered 400 too early).
/// </summary>
internal sealed class HttpTarget : FuzzTarget
{
    private static readonly HttpLimits Limits = new();

    // The parser allocates the path string only (2 bytes a character and a header).
    private static readonly AllocationBudget Budget = new("HttpRequestParser", 256, 4);

    public override string Name => "http";
    public override string Description => "HttpRequestParser.Parse on a request head; no prefix of an accepted head is refused";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Limits.MaxRequestBytes + 1) input = input[..(Limits.MaxRequestBytes + 1)];
        long start = Budget.Start();
        var status = HttpRequestParser.Parse(input, Limits, out var request, out var error);
        Budget.Stop(start, input.Length);

        if (status == ParseStatus.Invalid)
        {
            Check.That(error.Status is 400 or 414 or 431 or 505 && !string.IsNullOrEmpty(error.Reason), $"refused with {error.Status} '{error.Reason}'");
            return;
        }
        if (status == ParseStatus.Complete)
        {
            Check.That(request.Path.StartsWith('/'), $"a complete request with the path '{request.Path}'");
            Check.That(request.MinorVersion is 0 or 1, $"a complete request of HTTP/1.{request.MinorVersion}");
        }
        // Every cut for short inputs; 64 spread over a long one (each cut parses again).
        int step = Math.Max(1, input.Length / 64);
        for (int cut = 0; cut < input.Length; cut += step)
        {
            var partial = HttpRequestParser.Parse(input[..cut], Limits, out _, out var early);
            Check.That(partial != ParseStatus.Invalid, $"the first {cut} bytes are refused ({early.Status} {early.Reason}) but the whole input is not");
        }
    }

    public override IEnumerable<(string, byte[])> Seeds()
    {
        string[] requests =
        [
            "GET / HTTP/1.1\r\nHost: oc.local\r\n\r\n",
            "HEAD /status.json HTTP/1.1\r\nHost: 192.0.2.1:6678\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n",
            "GET /metrics?x=1 HTTP/1.0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
            "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET /index.html HTTP/1.1\r\nHo",
        ];
        for (int i = 0; i < requests.Length; i++) yield return ($"request-{i}", Encoding.ASCII.GetBytes(requests[i]));
    }
}

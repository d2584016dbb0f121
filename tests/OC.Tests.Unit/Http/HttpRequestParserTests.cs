using System.Text;
using OC.Appliance.Http;

namespace OC.Tests.Http;

/// <summary>The request-head parser on its own: no sockets.</summary>
public sealed class HttpRequestParserTests
{
    private static readonly HttpLimits Limits = new();

    private static ParseStatus Parse(string text, out HttpRequest request, out HttpError error) =>
        HttpRequestParser.Parse(Encoding.Latin1.GetBytes(text), Limits, out request, out error);

    private static HttpError Refused(string text)
    {
        Assert.Equal(ParseStatus.Invalid, Parse(text, out _, out var error));
        return error;
    }

    [Fact]
    public void A_plain_get_parses_with_its_path_without_the_query()
    {
        Assert.Equal(ParseStatus.Complete, Parse("GET /api/status?x=1 HTTP/1.1\r\nHost: oc\r\nAccept: */*\r\n\r\n", out var request, out _));
        Assert.Equal(new HttpRequest(RequestMethod.Get, "/api/status", 1, HasBody: false), request);
    }

    [Fact]
    public void Head_and_http_1_0_without_host_parse()
    {
        Assert.Equal(ParseStatus.Complete, Parse("HEAD / HTTP/1.0\r\n\r\n", out var request, out _));
        Assert.Equal(new HttpRequest(RequestMethod.Head, "/", 0, HasBody: false), request);
    }

    [Fact]
    public void Other_methods_parse_so_that_they_can_be_answered_405()
    {
        Assert.Equal(ParseStatus.Complete, Parse("POST / HTTP/1.1\r\nHost: oc\r\nContent-Length: 3\r\n\r\nabc", out var request, out _));
        Assert.Equal(RequestMethod.Other, request.Method);
        Assert.True(request.HasBody);
    }

    [Fact]
    public void Every_prefix_of_a_valid_request_needs_more_data()
    {
        // Fed whole, split at every offset, or a byte at a time, the parser sees these prefixes.
        const string text = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:6678\r\nUser-Agent: curl/8.5 (x86_64)\r\nX-Empty:\r\n\r\n";
        for (int length = 0; length < text.Length; length++)
        {
            var status = Parse(text[..length], out _, out var error);
            Assert.True(status == ParseStatus.NeedMoreData, $"prefix of {length} bytes: {status} {error}");
        }
        Assert.Equal(ParseStatus.Complete, Parse(text, out _, out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: oc\n\n", 400)]                     // bare LF
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: oc\r\n\r\n", 400)]           // empty line first
    [InlineData("GET  / HTTP/1.1\r\nHost: oc\r\n\r\n", 400)]              // two spaces
    [InlineData("GET / HTTP/1.1 \r\nHost: oc\r\n\r\n", 400)]              // trailing space
    [InlineData("GET http://oc/ HTTP/1.1\r\nHost: oc\r\n\r\n", 400)]      // absolute form
    [InlineData("GET * HTTP/1.1\r\nHost: oc\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]                           // no Host
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]    // two Hosts
    [InlineData("GET / HTTP/1.1\r\nHost : oc\r\n\r\n", 400)]              // space before the colon
    [InlineData("GET / HTTP/1.1\r\nHost: oc\r\n folded\r\n\r\n", 400)]    // obs-fold
    [InlineData("GET / HTTP/1.1\r\nHost: oc\r\nX: a\u0001b\r\n\r\n", 400)] // control character
    [InlineData("GET / HTTP/1.1\r\nHost: oc\r\nX: a\rb\r\n\r\n", 400)]    // lone CR
    [InlineData("GET / HTTP/1.1\r\nHost: oc\r\nNoColon\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: oc\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: oc\r\nContent-Length: 1 2\r\n\r\n", 400)]
    [InlineData("GET / HTTX/1.1\r\nHost: oc\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1.1\r\nHost: oc\r\n\r\n", 400)]
    [InlineData("GET /\u00e9 HTTP/1.1\r\nHost: oc\r\n\r\n", 400)]         // non-ASCII in the target
    [InlineData("G(T / HTTP/1.1\r\nHost: oc\r\n\r\n", 400)]               // not a token
    [InlineData("GET / HTTP/2.0\r\nHost: oc\r\n\r\n", 505)]
    [InlineData("GET / HTTP/0.9\r\nHost: oc\r\n\r\n", 505)]
    public void Malformed_requests_are_refused(string text, int status)
    {
        Assert.Equal(status, Refused(text).Status);
    }

    [Theory]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001")]  // a TLS ClientHello
    [InlineData("\u0000\u0000\u0000\u0010")]              // an OC protocol frame
    [InlineData("GET /\u0000")]
    [InlineData("GET / HTTP/1.1\r\nHo\u0000")]
    [InlineData("GETTINGVERYLONGMETHODNAME")]
    [InlineData(" GET")]
    public void Garbage_is_refused_before_a_line_ends(string text)
    {
        Assert.Equal(400, Refused(text).Status);
    }

    [Fact]
    public void A_body_on_get_is_flagged()
    {
        Assert.Equal(ParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: oc\r\nTransfer-Encoding: chunked\r\n\r\n", out var request, out _));
        Assert.True(request.HasBody);
        Assert.Equal(ParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: oc\r\nContent-Length: 000\r\n\r\n", out request, out _));
        Assert.False(request.HasBody);
    }

    [Fact]
    public void A_request_line_over_the_limit_gets_414()
    {
        var text = "GET /" + new string('a', Limits.MaxRequestBytes);
        Assert.Equal(414, Refused(text).Status);
        // Up to the limit it is still only incomplete.
        Assert.Equal(ParseStatus.NeedMoreData, Parse(text[..Limits.MaxRequestBytes], out _, out _));
    }

    [Fact]
    public void Headers_over_the_limit_get_431()
    {
        var text = "GET / HTTP/1.1\r\nHost: oc\r\nX-Big: " + new string('a', Limits.MaxRequestBytes);
        Assert.Equal(431, Refused(text).Status);
        // A complete head one byte too long is refused too.
        var head = "GET / HTTP/1.1\r\nHost: oc\r\nX: ";
        var exact = head + new string('a', Limits.MaxRequestBytes - head.Length - 4) + "\r\n\r\n";
        Assert.Equal(Limits.MaxRequestBytes, exact.Length);
        Assert.Equal(ParseStatus.Complete, Parse(exact, out _, out _));
        var over = head + new string('a', Limits.MaxRequestBytes - head.Length - 3) + "\r\n\r\n";
        Assert.Equal(431, Refused(over).Status);
    }

    [Fact]
    public void Fifty_header_lines_pass_and_fifty_one_get_431()
    {
        static string Request(int lines) =>
            "GET / HTTP/1.1\r\nHost: oc\r\n" + string.Concat(Enumerable.Range(1, lines - 1).Select(i => $"X-{i}: {i}\r\n")) + "\r\n";
        Assert.Equal(ParseStatus.Complete, Parse(Request(50), out _, out _));
        Assert.Equal(431, Refused(Request(51)).Status);
        // Refused as soon as line 51 is complete, before the end of the head arrives.
        Assert.Equal(431, Refused(Request(51)[..^2]).Status);
    }
}

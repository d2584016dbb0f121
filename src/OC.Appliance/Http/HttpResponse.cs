using System.Globalization;
using System.Text;
using OC.Protocol.Framing;

namespace OC.Appliance.Http;

/// <summary>A whole response: status, content type, body, and any extra header lines ("Name: value\r\n" each).</summary>
internal sealed record HttpResponse(int Status, string ContentType, byte[] Body, string ExtraHeaders = "")
{
    public const string TextPlain = "text/plain; charset=utf-8";

    /// <summary>A short plain-text answer, e.g. for an error: "405 Method Not Allowed: ...".</summary>
    public static HttpResponse Text(int status, string text, string extraHeaders = "") =>
        new(status, TextPlain, Encoding.UTF8.GetBytes(text + "\n"), extraHeaders);

    public static HttpResponse Error(int status, string? detail = null, string extraHeaders = "") =>
        Text(status, detail is null ? $"{status} {ReasonPhrase(status)}" : $"{status} {ReasonPhrase(status)}: {detail}", extraHeaders);

    /// <summary>
    /// Writes the status line, the headers and (unless <paramref name="withBody"/> is false, for
    /// HEAD) the body. Every response closes the connection: keep-alive would buy a status page
    /// nothing and cost a per-connection idle state. <paramref name="date"/> is the Date header
    /// (now, from the loop's clock).
    /// </summary>
    public void WriteTo(ByteBuffer output, bool withBody, DateTimeOffset date)
    {
        var head = new StringBuilder(256);
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {ReasonPhrase(Status)}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Date: {date.UtcDateTime:R}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {ContentType}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {Body.Length}\r\n");
        head.Append("Cache-Control: no-store\r\n");
        head.Append("X-Content-Type-Options: nosniff\r\n");
        head.Append("Connection: close\r\n");
        head.Append(ExtraHeaders);
        head.Append("\r\n");
        var bytes = Encoding.ASCII.GetBytes(head.ToString());
        output.Write(bytes);
        if (withBody) output.Write(Body);
    }

    public static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    };
}

using System.Buffers;
using System.Text;

namespace OC.Appliance.Http;

/// <summary>
/// A strict parser of an HTTP/1.0 or 1.1 request head (RFC 9112 §2-§5), for a server that
/// serves GET and HEAD only. It parses the whole buffer on each call (never more than
/// <see cref="HttpLimits.MaxRequestBytes"/> + 1 bytes, so this stays cheap) and checks the
/// bytes of the unfinished last line too: garbage is refused as soon as it arrives, not
/// when the deadline runs out.
/// </summary>
/// <remarks>
/// Refused with 400: a line not ended by CRLF, an empty line before the request line, a
/// request line that is not exactly "method SP origin-form SP HTTP/d.d", a folded header line,
/// whitespace before a header's colon, a control character anywhere, a bad Content-Length, an
/// HTTP/1.1 request without exactly one Host header. 414 when the request line alone passes the
/// size limit, 431 when the head does or has too many header lines, 505 for HTTP/2.0 and the like.
/// </remarks>
internal static class HttpRequestParser
{
    private const int MaxMethodLength = 16;

    // RFC 9110 §5.6.2: token characters (methods and header names).
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // The request target: visible ASCII only (percent-escapes are left as they are).
    private static readonly SearchValues<byte> TargetChars = SearchValues.Create(Range(0x21, 0x7E));

    // RFC 9110 §5.5 field-value: VCHAR, obs-text, SP and HTAB; no other control character.
    private static readonly SearchValues<byte> FieldValueChars =
        SearchValues.Create([(byte)' ', (byte)'\t', .. Range(0x21, 0x7E), .. Range(0x80, 0xFF)]);

    public static ParseStatus Parse(ReadOnlySpan<byte> data, HttpLimits limits, out HttpRequest request, out HttpError error)
    {
        request = default;
        int lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            if (!CheckPartialRequestLine(data, out error)) return ParseStatus.Invalid;
            if (data.Length > limits.MaxRequestBytes) return Fail(414, "request line too long", out error);
            return ParseStatus.NeedMoreData;
        }
        if (!ParseRequestLine(data[..lineEnd], out var method, out var path, out int minor, out error)) return ParseStatus.Invalid;

        int position = lineEnd + 1;
        int lines = 0;
        int hosts = 0;
        bool hasBody = false;
        while (true)
        {
            var rest = data[position..];
            int lf = rest.IndexOf((byte)'\n');
            if (lf < 0)
            {
                if (!CheckPartialHeaderLine(rest, out error)) return ParseStatus.Invalid;
                if (data.Length > limits.MaxRequestBytes) return Fail(431, "request head too large", out error);
                return ParseStatus.NeedMoreData;
            }
            var line = rest[..lf];
            position += lf + 1;
            if (line.IsEmpty || line[^1] != '\r') return Fail(400, "header line not ended by CRLF", out error);
            line = line[..^1];
            if (line.IsEmpty) break;

            if (++lines > limits.MaxHeaderLines) return Fail(431, "too many header lines", out error);
            if (!ParseHeader(line, out var name, out var value, out error)) return ParseStatus.Invalid;
            if (Ascii.EqualsIgnoreCase(name, "host"u8))
            {
                hosts++;
            }
            else if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (value.IsEmpty || value.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return Fail(400, "malformed Content-Length", out error);
                hasBody |= value.ContainsAnyExcept((byte)'0');
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                hasBody = true;
            }
        }

        if (position > limits.MaxRequestBytes) return Fail(431, "request head too large", out error);
        // RFC 9112 §3.2: a 1.1 request without Host, or with two, gets 400.
        if (minor == 1 ? hosts != 1 : hosts > 1) return Fail(400, "a request needs exactly one Host header", out error);

        request = new HttpRequest(method, path, minor, hasBody);
        return ParseStatus.Complete;
    }

    /// <param name="line">The request line up to its LF (exclusive).</param>
    private static bool ParseRequestLine(ReadOnlySpan<byte> line, out RequestMethod method, out string path, out int minor, out HttpError error)
    {
        method = default;
        path = "";
        minor = 0;
        if (line.IsEmpty || line[^1] != '\r') return Refuse(400, "request line not ended by CRLF", out error);
        line = line[..^1];
        if (line.IsEmpty) return Refuse(400, "empty line before the request line", out error);

        int firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0) return Refuse(400, "malformed request line", out error);
        var methodName = line[..firstSpace];
        if (methodName.Length > MaxMethodLength || methodName.ContainsAnyExcept(TokenChars)) return Refuse(400, "malformed method", out error);

        var rest = line[(firstSpace + 1)..];
        int secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0) return Refuse(400, "malformed request line", out error);
        var target = rest[..secondSpace];
        var version = rest[(secondSpace + 1)..];
        if (target[0] != '/' || target.ContainsAnyExcept(TargetChars)) return Refuse(400, "the request target must be a path", out error);

        if (version.SequenceEqual("HTTP/1.1"u8)) minor = 1;
        else if (version.SequenceEqual("HTTP/1.0"u8)) minor = 0;
        else if (version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5]) && version[6] == '.' && char.IsAsciiDigit((char)version[7]))
            return Refuse(505, "only HTTP/1.0 and HTTP/1.1 are served", out error);
        else return Refuse(400, "malformed HTTP version", out error);

        method = methodName.SequenceEqual("GET"u8) ? RequestMethod.Get
            : methodName.SequenceEqual("HEAD"u8) ? RequestMethod.Head
            : RequestMethod.Other;
        int query = target.IndexOf((byte)'?');
        path = Encoding.ASCII.GetString(query < 0 ? target : target[..query]);
        error = default;
        return true;
    }

    /// <summary>The start of a request line whose LF has not arrived: is it still plausible?</summary>
    private static bool CheckPartialRequestLine(ReadOnlySpan<byte> partial, out HttpError error)
    {
        if (!partial.IsEmpty && partial[^1] == '\r') partial = partial[..^1];
        int firstSpace = partial.IndexOf((byte)' ');
        var methodName = firstSpace < 0 ? partial : partial[..firstSpace];
        if (methodName.Length > MaxMethodLength || methodName.ContainsAnyExcept(TokenChars)) return Refuse(400, "malformed method", out error);
        if (firstSpace < 0) return Accept(out error);
        if (firstSpace == 0) return Refuse(400, "malformed request line", out error);

        var rest = partial[(firstSpace + 1)..];
        if (!rest.IsEmpty && rest[0] != '/') return Refuse(400, "the request target must be a path", out error);
        // Target and version together: visible ASCII and one more space at most.
        int secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace >= 0 && rest[(secondSpace + 1)..].Contains((byte)' ')) return Refuse(400, "malformed request line", out error);
        foreach (byte b in rest)
        {
            if (b != ' ' && !TargetChars.Contains(b)) return Refuse(400, "bad character in the request line", out error);
        }
        return Accept(out error);
    }

    private static bool ParseHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out HttpError error)
    {
        name = value = default;
        // RFC 9112 §5.2: obsolete line folding is refused.
        if (line[0] is (byte)' ' or (byte)'\t') return Refuse(400, "folded header line", out error);
        int colon = line.IndexOf((byte)':');
        if (colon <= 0) return Refuse(400, "malformed header line", out error);
        // RFC 9112 §5.1: no whitespace between the name and the colon (a token has none).
        name = line[..colon];
        if (name.ContainsAnyExcept(TokenChars)) return Refuse(400, "malformed header name", out error);
        value = line[(colon + 1)..].Trim(" \t"u8);
        if (value.ContainsAnyExcept(FieldValueChars)) return Refuse(400, "bad character in a header value", out error);
        return Accept(out error);
    }

    /// <summary>The start of a header line whose LF has not arrived: is it still plausible?</summary>
    private static bool CheckPartialHeaderLine(ReadOnlySpan<byte> partial, out HttpError error)
    {
        if (!partial.IsEmpty && partial[^1] == '\r') partial = partial[..^1];
        if (partial.IsEmpty) return Accept(out error);
        if (partial[0] is (byte)' ' or (byte)'\t') return Refuse(400, "folded header line", out error);
        int colon = partial.IndexOf((byte)':');
        if (colon == 0) return Refuse(400, "malformed header line", out error);
        var name = colon < 0 ? partial : partial[..colon];
        if (name.ContainsAnyExcept(TokenChars)) return Refuse(400, "malformed header name", out error);
        if (colon > 0 && partial[(colon + 1)..].ContainsAnyExcept(FieldValueChars)) return Refuse(400, "bad character in a header value", out error);
        return Accept(out error);
    }

    private static ParseStatus Fail(int status, string reason, out HttpError error)
    {
        error = new HttpError(status, reason);
        return ParseStatus.Invalid;
    }

    private static bool Refuse(int status, string reason, out HttpError error)
    {
        error = new HttpError(status, reason);
        return false;
    }

    private static bool Accept(out HttpError error)
    {
        error = default;
        return true;
    }

    private static byte[] Range(int first, int last)
    {
        var bytes = new byte[last - first + 1];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(first + i);
        return bytes;
    }
}

namespace OC.Appliance.Http;

internal enum RequestMethod
{
    Get,
    Head,
    /// <summary>Any other well-formed method: answered 405.</summary>
    Other,
}

/// <summary>What the status page needs of a request: the method, the path, and whether it carries a body.</summary>
/// <param name="Path">The request target up to any '?', exactly as sent (origin-form, starts with '/').</param>
/// <param name="MinorVersion">0 for HTTP/1.0, 1 for HTTP/1.1.</param>
/// <param name="HasBody">A Content-Length above zero or any Transfer-Encoding.</param>
internal readonly record struct HttpRequest(RequestMethod Method, string Path, int MinorVersion, bool HasBody);

/// <summary>Why a request was refused before it was routed: the status to answer and a fixed reason.</summary>
internal readonly record struct HttpError(int Status, string Reason);

internal enum ParseStatus
{
    /// <summary>Everything so far is valid; the end of the headers has not arrived.</summary>
    NeedMoreData,
    Complete,
    Invalid,
}

using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>The appliance answered a request (or the connection) with an ERROR frame.</summary>
public sealed class OcErrorException : Exception
{
    public OcErrorException(ErrorReply error)
        : base(error.Message.Length > 0 ? error.Message : error.Code.ToString())
    {
        Code = error.Code;
        RetryAfterSeconds = error.RetryAfterSeconds;
    }

    public OcErrorException() : this(new ErrorReply(ErrorCode.MalformedFrame, 0, "")) { }
    public OcErrorException(string message) : base(message) { }
    public OcErrorException(string message, Exception inner) : base(message, inner) { }

    public ErrorCode Code { get; }
    public uint RetryAfterSeconds { get; }
}

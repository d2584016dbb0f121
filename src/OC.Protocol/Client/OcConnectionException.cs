namespace OC.Protocol.Client;

/// <summary>The connection could not be made, or it broke, or the peer broke the protocol.</summary>
public sealed class OcConnectionException : IOException
{
    public OcConnectionException() { }
    public OcConnectionException(string message) : base(message) { }
    public OcConnectionException(string message, Exception inner) : base(message, inner) { }
}

namespace OC.Protocol.Security;

/// <summary>
/// A SCRAM message from the peer was malformed or unacceptable (RFC 5802). Thrown on the
/// client side only: the server reports failures through <c>Try*</c> methods instead,
/// because its input comes from unauthenticated peers.
/// </summary>
public sealed class ScramException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public ScramException()
        : base("SCRAM authentication failed.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    public ScramException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    public ScramException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

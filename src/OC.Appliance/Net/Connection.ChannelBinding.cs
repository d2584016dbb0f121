namespace OC.Appliance.Net;

internal sealed partial class Connection
{
    /// <summary>
    /// The <c>tls-server-end-point</c> data of the certificate this connection's TLS handshake
    /// presented (RFC 5929 §4, <c>OC.Protocol.Security.ChannelBinding.TlsServerEndPoint</c>), or
    /// null for a plaintext connection and the admin socket. A password login on this connection
    /// must be bound to it (SCRAM-SHA-256-PLUS, docs/protocol.md "Login"). Set by the TLS layer
    /// before any frame is dispatched (one certificate: every connection can share one array, never
    /// changed once set); loop thread only.
    /// </summary>
    public byte[]? ChannelBinding { get; }
}

namespace OC.Protocol.Client;

public sealed partial class OcConnection
{
    /// <summary>
    /// The <c>tls-server-end-point</c> data of the appliance's certificate (RFC 5929 §4,
    /// <see cref="Security.ChannelBinding.TlsServerEndPoint"/> of the certificate this connection's
    /// TLS handshake was shown), or null on a plaintext connection. Set by the TLS handshake. A
    /// password login binds itself to it (SCRAM-SHA-256-PLUS, docs/protocol.md "Login"), so a login
    /// relayed through another certificate fails.
    /// </summary>
    public byte[]? ChannelBinding { get; internal set; }
}

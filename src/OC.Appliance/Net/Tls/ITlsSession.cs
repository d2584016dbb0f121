namespace OC.Appliance.Net.Tls;

/// <summary>
/// One connection's TLS, driven by the event loop and never blocking: ciphertext from the socket
/// goes in with <see cref="Feed"/> and comes out of <see cref="Decrypt"/> as plaintext; frames
/// go in with <see cref="Encrypt"/>. Whatever TLS has to send (handshake messages, records,
/// alerts) is appended to the connection's wire buffer given at creation.
/// </summary>
internal interface ITlsSession : IDisposable
{
    /// <summary>The handshake finished: the peer is talking the application protocol now.</summary>
    bool IsHandshakeDone { get; }

    /// <summary>Why the session failed (the connection closes), for the log.</summary>
    string? Error { get; }

    /// <summary>Ciphertext that arrived; the following <see cref="Decrypt"/> calls use all of it (the array is not kept past them).</summary>
    void Feed(byte[] buffer, int offset, int count);

    /// <summary>
    /// Plaintext into <paramref name="plain"/>: the bytes written; 0 when nothing more comes before
    /// the next <see cref="Feed"/>; -1 when the session failed or the peer closed it (see <see cref="Error"/>).
    /// Call until it returns 0 or less: TLS may hold whole records.
    /// </summary>
    int Decrypt(Span<byte> plain);

    /// <summary>Encrypts <paramref name="plain"/> onto the wire buffer; false when the session failed.</summary>
    bool Encrypt(ReadOnlySpan<byte> plain);

    /// <summary>Input the session holds and the connection counts in its input budget (a partial record).</summary>
    int HeldBytes { get; }

    /// <summary>
    /// How much more plaintext than ciphertext one read may bring out, beyond <see cref="HeldBytes"/>
    /// (a record whose start the engine holds uncounted): the connection reads only while that much
    /// of its budget is left, which keeps the bound exact.
    /// </summary>
    int ReadSlack { get; }

    /// <summary>Once a second from the idle sweep: a session that did nothing since the last call may let go of what it can make again.</summary>
    void TrimIfIdle();
}

/// <summary>Makes the sessions of one listener: one certificate, one configuration.</summary>
internal interface ITlsServer : IDisposable
{
    /// <summary>Which implementation (openssl, sslstream): shown on the status page and in the log.</summary>
    string Engine { get; }

    ITlsSession CreateSession(OC.Protocol.Framing.ByteBuffer wire);
}

using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OC.Protocol.Framing;

namespace OC.Tests.Net;

/// <summary>
/// A TLS 1.3 client (.NET's SslStream, as `oc` uses) over memory instead of a socket, driven on the
/// calling thread: what it sends collects in <see cref="TakeSent"/>, <see cref="Deliver"/> hands it
/// the engine's bytes, and its waiting read then completes inline. So a test can play the event
/// loop on one thread, with no sockets and nothing to wait for.
/// </summary>
internal sealed class MemoryTlsClient : IDisposable
{
    private readonly ClientSide _transport = new();

    public MemoryTlsClient()
    {
        Ssl = new SslStream(_transport, leaveInnerStreamOpen: false);
        Handshake = Ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "",
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            // Trust is the fingerprint in OC; the engines are tested here, not the trust decision.
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                Certificate = certificate?.GetRawCertData();
                return certificate is not null;
            },
        });
    }

    public SslStream Ssl { get; }
    public Task Handshake { get; }
    public byte[]? Certificate { get; private set; }

    /// <summary>Ciphertext the client wrote since the last call.</summary>
    public byte[] TakeSent() => _transport.TakeSent();

    public bool HasSent => !_transport.Sent.IsEmpty;

    /// <summary>The engine's ciphertext for the client; a read it has waiting completes now, on this thread.</summary>
    public void Deliver(ReadOnlySpan<byte> cipher)
    {
        // As the engine does: with a SynchronizationContext current, SslStream's Task-backed
        // continuations would be queued instead of run here.
        using var inline = new OC.Appliance.Net.Tls.NoSynchronizationContext();
        _transport.Deliver(cipher);
    }

    public void Dispose() => Ssl.Dispose();

    private sealed class ClientSide : Stream
    {
        private readonly ByteBuffer _received = new();
        private TaskCompletionSource<int>? _waiting;
        private Memory<byte> _waitingBuffer;

        public ByteBuffer Sent { get; } = new();

        public byte[] TakeSent()
        {
            var bytes = Sent.Span.ToArray();
            Sent.Release();
            return bytes;
        }

        public void Deliver(ReadOnlySpan<byte> cipher)
        {
            _received.Write(cipher);
            if (_waiting is not { } waiting) return;
            _waiting = null;
            // Synchronous continuations (no RunContinuationsAsynchronously): the client goes on inline.
            waiting.SetResult(Take(_waitingBuffer.Span));
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_received.IsEmpty) return new ValueTask<int>(Take(buffer.Span));
            _waiting = new TaskCompletionSource<int>();
            _waitingBuffer = buffer;
            return new ValueTask<int>(_waiting.Task);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Take(Span<byte> into)
        {
            int n = Math.Min(into.Length, _received.Length);
            _received.Span[..n].CopyTo(into);
            _received.Consume(n);
            return n;
        }

        public override void Write(ReadOnlySpan<byte> buffer) => Sent.Write(buffer);
        public override void Write(byte[] buffer, int offset, int count) => Sent.Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Sent.Write(buffer.Span);
            return default;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Sent.Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("driven through ReadAsync only");
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

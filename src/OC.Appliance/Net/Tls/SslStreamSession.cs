using System.Buffers;
using System.Net.Security;
using OC.Protocol.Framing;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// One connection's SslStream, driven synchronously by the loop. Its stream (<see cref="LoopCipherStream"/>)
/// serves whole records only and completes SslStream's waiting read inline, so the handshake and
/// every decryption run inside <see cref="Decrypt"/> on the loop thread. A read of plaintext is
/// started only when it can complete now (a whole record is here): an idle connection has none
/// outstanding, and so no state machine or read buffer of SslStream's (a record that carried no
/// data, such as a key update, is the one exception: that read waits for the next record).
/// Nothing here throws to the loop: failures become <see cref="Error"/> and -1 or false.
/// </summary>
internal sealed class SslStreamSession : ITlsSession
{
    private readonly SslStreamServer _server;
    private readonly LoopCipherStream _transport;
    private readonly SslStream _ssl;
    private readonly int _loopThread;

    // Plaintext SslStream gave that the caller's buffer had no room for.
    private readonly ByteBuffer _leftover = new();
    private Task? _handshake;
    private ValueTask<int> _read;
    private bool _reading;
    private bool _failed;
    private bool _disposed;

    public SslStreamSession(SslStreamServer server, ByteBuffer wire)
    {
        _server = server;
        _loopThread = Environment.CurrentManagedThreadId;
        _transport = new LoopCipherStream(server, wire);
        _ssl = new SslStream(_transport, leaveInnerStreamOpen: false);
    }

    public bool IsHandshakeDone => _handshake is { IsCompletedSuccessfully: true };

    public string? Error { get; private set; }

    /// <summary>A read of SslStream's is outstanding (tests: never on an idle connection).</summary>
    internal bool IsReadPending => _reading || (_handshake is { IsCompleted: false } && _transport.IsReadPending);

    public void Feed(byte[] buffer, int offset, int count)
    {
        CheckThread(nameof(Feed));
        if (_failed || _disposed) return;
        _transport.Append(buffer.AsSpan(offset, count));
    }

    // SslStream keeps the start of a record where the connection does not count it: a read may
    // complete one, so up to a whole record's plaintext (2^14 + 256) may come out beyond what was read.
    public int HeldBytes => 0;
    public int ReadSlack => 16 * 1024 + 256;

    public void TrimIfIdle()
    {
    }

    public int Decrypt(Span<byte> plain)
    {
        CheckThread(nameof(Decrypt));
        if (_disposed) return -1;
        using var inline = new NoSynchronizationContext();
        int total = TakeLeftover(plain);
        try
        {
            while (total < plain.Length && !_failed)
            {
                int got = Step();
                if (got == 0) break;
                var scratch = _server.ReadScratch.AsSpan(0, got);
                int fits = Math.Min(got, plain.Length - total);
                scratch[..fits].CopyTo(plain[total..]);
                if (fits < got) _leftover.Write(scratch[fits..]);
                total += fits;
            }
        }
        catch (Exception e)
        {
            // Nothing may reach the loop: whatever SslStream (or this code) threw ends this session only.
            Fail("TLS: " + Describe(e));
        }
        if (total > 0) return total;
        return _failed ? -1 : 0;
    }

    public bool Encrypt(ReadOnlySpan<byte> plain)
    {
        CheckThread(nameof(Encrypt));
        if (_failed || _disposed) return false;
        if (!IsHandshakeDone)
        {
            Fail("TLS: nothing can be encrypted before the handshake is done");
            return false;
        }
        using var inline = new NoSynchronizationContext();
        // SslStream wants memory; the caller's span is copied into a rented array.
        byte[] copy = ArrayPool<byte>.Shared.Rent(plain.Length);
        plain.CopyTo(copy);
        try
        {
            var write = _ssl.WriteAsync(copy.AsMemory(0, plain.Length));
            if (!write.IsCompleted)
            {
                // The stream takes every write at once, so only a renegotiation SslStream waits for
                // (Windows' key updates) could get here: close rather than block the loop. The array
                // stays with the write (not returned to the pool).
                Fail("TLS: SslStream would have waited to encrypt (renegotiation)");
                return false;
            }
            write.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Fail("TLS: " + Describe(e));
            return false;
        }
        ArrayPool<byte>.Shared.Return(copy);
        return true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        CheckThread(nameof(Dispose));
        _disposed = true;
        using var inline = new NoSynchronizationContext();
        // The end of the ciphertext first: a pending read completes (inline) and SslStream's
        // handshake or read ends, so nothing is left waiting when the SslStream goes.
        _transport.End();
        if (_handshake is { IsFaulted: true }) _ = _handshake.Exception; // observed: no unobserved-task event later
        if (_reading && _read.IsCompleted)
        {
            _reading = false;
            try
            {
                _read.GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // The read ended with the stream: expected here.
            }
        }
        try
        {
            _ssl.Dispose();
        }
        catch (Exception)
        {
            // A session that cannot even dispose cleanly is gone anyway; the loop goes on.
        }
        _leftover.Release();
    }

    /// <summary>
    /// Moves the session on as far as the ciphertext here allows: the handshake, then one read of
    /// plaintext into the server's scratch buffer. Returns the plaintext bytes read (0: nothing more
    /// until more ciphertext is fed, or the session failed).
    /// </summary>
    private int Step()
    {
        if (_transport.Broken is { } broken)
        {
            Fail("TLS: " + broken);
            return 0;
        }
        if (_handshake is null)
        {
            // Started with the first whole record (the ClientHello): a silent connection has no SslStream state.
            if (!_transport.HasRecord) return CheckBroken();
            _handshake = _ssl.AuthenticateAsServerAsync(_server.Options, CancellationToken.None);
        }
        // Whatever SslStream waits for, it gets now if a whole record is here; its work runs inline.
        _transport.Wake();
        if (!_handshake.IsCompleted) return CheckBroken();
        if (!_handshake.IsCompletedSuccessfully)
        {
            Fail("TLS handshake failed: " + Describe(_handshake.Exception!));
            return 0;
        }
        if (!_reading)
        {
            if (!_transport.HasRecord) return CheckBroken();
            _read = _ssl.ReadAsync(_server.ReadScratch);
            _reading = true;
        }
        if (!_read.IsCompleted) return CheckBroken();
        _reading = false;
        int n = _read.GetAwaiter().GetResult();
        if (n == 0) Fail("closed by peer (TLS close_notify)");
        return n;
    }

    /// <summary>Nothing to do until more ciphertext comes, unless what came is not TLS.</summary>
    private int CheckBroken()
    {
        if (_transport.Broken is { } broken) Fail("TLS: " + broken);
        return 0;
    }

    private int TakeLeftover(Span<byte> plain)
    {
        if (_leftover.IsEmpty) return 0;
        int n = Math.Min(plain.Length, _leftover.Length);
        _leftover.Span[..n].CopyTo(plain);
        _leftover.Consume(n);
        if (_leftover.IsEmpty) _leftover.Release();
        return n;
    }

    private void Fail(string why)
    {
        _failed = true;
        Error ??= why;
    }

    /// <summary>The innermost reason (SslStream wraps OpenSSL's or SChannel's in "Authentication failed, see inner exception").</summary>
    private static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return ReferenceEquals(inner, e) ? e.Message : $"{e.Message} ({inner.Message})";
    }

    private void CheckThread(string where)
    {
        if (Environment.CurrentManagedThreadId != _loopThread) _server.NoteOffLoop("SslStreamSession." + where);
    }
}

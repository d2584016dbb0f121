using System.Net.Sockets;
using OC.Protocol.Framing;

namespace OC.Appliance.Net;

internal sealed partial class Connection
{
    /// <summary>
    /// The buffer to write frames into. Call <see cref="Commit"/> after writing: it schedules the
    /// flush (before the loop sleeps, as redis handleClientsWithPendingWrites) and enforces the bound.
    /// </summary>
    public ByteBuffer Output => _output;

    public void Commit()
    {
        if (IsClosed || _cutOff) return;
        if (PendingOutputBytes > _manager.Limits.MaxOutputBytes)
        {
            // Closed at the next flush, not here: Commit is called while pushing an event to many
            // sessions, and closing runs presence changes that push events of their own.
            _cutOff = true;
            _manager.OnSlowConsumer(this);
        }
        _manager.SchedulePendingWrite(this);
    }

    /// <summary>Writes what the socket takes now; asks for writable events only while output is left over.</summary>
    internal void Flush()
    {
        if (_cutOff)
        {
            Close($"slow consumer: {PendingOutputBytes} bytes of replies unread");
            return;
        }
        bool had = PendingOutputBytes != 0;
        // Before the client's first TLS byte, only a refusal is ever written (too many
        // connections, no HELLO in time): it goes out in plaintext, the one thing a client in
        // its handshake can still read (docs/protocol.md, "Connecting"). It carries no secret.
        var wire = _tls is null || !_tlsSeen ? _output : _wire;
        while (!IsClosed)
        {
            // TLS seals a chunk at a time as the socket takes it: ciphertext waiting is at most one chunk.
            if (_tls is not null && _tlsSeen && _wire.IsEmpty && !_output.IsEmpty && !Seal()) return;
            if (wire.IsEmpty) break;
            int n = _socket.Send(wire.Span, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) break;
            if (error != SocketError.Success)
            {
                Close(error is SocketError.ConnectionReset or SocketError.Shutdown ? "reset by peer" : $"send failed: {error}");
                return;
            }
            _manager.BytesSent += n;
            wire.Consume(n);
        }
        if (IsClosed) return;
        if (_output.IsEmpty) _output.Release();
        if (_wire.IsEmpty) _wire.Release();
        UpdateInterest();
        if (had && PendingOutputBytes == 0) _manager.Sink.OnOutputDrained(this);
    }

    // Four full TLS records: large enough for few calls, small enough to keep little ciphertext waiting.
    private const int SealChunk = 64 * 1024;

    private bool Seal()
    {
        if (!_tls!.IsHandshakeDone)
        {
            // An ERROR for a client still in its handshake (its login deadline, say): it cannot be sealed yet.
            Close("closed during its TLS handshake");
            return false;
        }
        int take = Math.Min(_output.Length, SealChunk);
        if (!_tls.Encrypt(_output.Span[..take]))
        {
            Close(_tls.Error ?? "TLS failed");
            return false;
        }
        _output.Consume(take);
        return true;
    }

    /// <summary>One non-blocking send of the ciphertext waiting (an alert or a refusal just before closing).</summary>
    private void SendWireNow()
    {
        if (_wire.IsEmpty) return;
        int n = _socket.Send(_wire.Span, SocketFlags.None, out _);
        if (n > 0) _manager.BytesSent += n;
    }
}

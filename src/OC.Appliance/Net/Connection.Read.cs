using System.Net.Sockets;
using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;

namespace OC.Appliance.Net;

internal sealed partial class Connection
{
    // Bounded per event so one busy client cannot starve the others; level-triggered polling
    // brings us back for the rest.
    private const int MaxReadsPerEvent = 4;

    private void Receive()
    {
        var shared = _manager.ReceiveBuffer;
        for (int i = 0; i < MaxReadsPerEvent && !IsClosed && !_cutOff && !_readPaused; i++)
        {
            int room = ReadRoom(shared.Length);
            if (room == 0)
            {
                if (PeerGone())
                {
                    Close("closed by peer");
                    return;
                }
                // The shared budget is spent: not read until someone's partial frame completes or
                // closes (the idle sweep still notices this peer leaving, CheckWhileWaiting).
                _budgetPaused = true;
                _manager.Budget.Wait(this);
                UpdateInterest();
                return;
            }
            int n = _socket.Receive(shared, 0, room, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success)
            {
                Close(error == SocketError.ConnectionReset ? "reset by peer" : $"receive failed: {error}");
                return;
            }
            if (n == 0)
            {
                Close("closed by peer");
                return;
            }
            LastActivityMs = _manager.Loop.Time.NowMs();
            _manager.BytesReceived += n;

            if (_tls is null) Deliver(shared.AsSpan(0, n));
            else ReceiveTls(shared, n);
            if (IsClosed) return;
            if (n < room) return;
        }
    }

    /// <summary>Plaintext that arrived: whole frames go to the sink, a partial one is kept.</summary>
    private void Deliver(ReadOnlySpan<byte> data)
    {
        if (_readPaused)
        {
            // Paused in the middle of decrypted data (TLS): kept for ResumeReading.
            _input.Write(data);
            Charge();
            return;
        }
        if (_input.IsEmpty)
        {
            // The common case: frames straight from the shared buffer, no copy. Only the
            // tail of a partial frame is kept, in this connection's own buffer.
            int used = ProcessFrames(data);
            if (!IsClosed && used < data.Length) _input.Write(data[used..]);
            if (!IsClosed) Charge();
        }
        else
        {
            _input.Write(data);
            ProcessBuffered();
        }
    }

    /// <summary>Dispatches the whole frames held in this connection's buffer (after more arrived, or after a pause).</summary>
    internal void ProcessBuffered()
    {
        if (IsClosed || _readPaused || _input.IsEmpty) return;
        int used = ProcessFrames(_input.Span);
        if (IsClosed) return;
        _input.Consume(used);
        if (_input.IsEmpty) _input.Release();
        Charge();
    }

    /// <summary>
    /// Ciphertext that arrived: decrypted into the shared plaintext buffer and delivered; what TLS
    /// answers (the handshake) is flushed before the loop sleeps. The first byte must start a TLS
    /// handshake record: a client speaking plaintext is told so in plaintext, then closed.
    /// </summary>
    private void ReceiveTls(byte[] cipher, int n)
    {
        if (!_tlsSeen)
        {
            if (cipher[0] != TlsRecordHandshake)
            {
                RefusePlaintext();
                return;
            }
            _tlsSeen = true;
        }
        var tls = _tls!;
        tls.Feed(cipher, 0, n);
        var plain = _manager.PlainBuffer;
        while (!IsClosed)
        {
            int got = tls.Decrypt(plain);
            if (got == 0) break;
            if (got < 0)
            {
                // An alert OpenSSL wrote says why to the peer: one try to send it, then close.
                SendWireNow();
                Close(tls.Error ?? "TLS failed");
                return;
            }
            Deliver(plain.AsSpan(0, got));
        }
        if (IsClosed) return;
        if (!_handshakeCounted && tls.IsHandshakeDone)
        {
            _handshakeCounted = true;
            _manager.TlsHandshakes++;
        }
        // The record layer may now hold the start of a record: it is input held like a partial frame.
        Charge();
        if (!_wire.IsEmpty) _manager.SchedulePendingWrite(this);
    }

    private const byte TlsRecordHandshake = 0x16;

    private void RefusePlaintext()
    {
        _wire.Write(_manager.Tls!.PlaintextRefusal);
        SendWireNow();
        _manager.PlaintextRefused++;
        // A warning (folded into repeat counts when many come): an old client, or not an OC client.
        Log.Warn("net.plaintext_refused", (RemoteEndPoint as System.Net.IPEndPoint)?.Address,
            $"#{Id} {RemoteEndPoint}: spoke plaintext to the TLS port; told TlsRequired and closed");
        Close("spoke plaintext to the TLS port");
    }

    /// <summary>
    /// How much may be read now: all of the shared buffer while the partial frame held is small;
    /// beyond <see cref="ConnectionLimits.PrivateInputBytes"/> only what the shared budget has left.
    /// Whatever a read brings may stay as a partial frame, so held bytes never pass the allowance
    /// plus the budget.
    /// </summary>
    private int ReadRoom(int max)
    {
        long own = Math.Max(0, _manager.Limits.PrivateInputBytes - HeldInput);
        if (_tls is null || _tls.ReadSlack == 0)
        {
            // With our own TLS records too: n bytes read become at most n bytes held (a record's
            // plaintext is shorter than its ciphertext, and a partial record is counted as held).
            if (own >= max) return max;
            return (int)Math.Min(max, own + _manager.Budget.Available);
        }
        // An engine that holds the start of a record uncounted: n bytes read may complete it, up
        // to a record more plaintext than ciphertext. Reading only while that much is left keeps the bound exact.
        return (int)Math.Clamp(own + _manager.Budget.Available - _tls.ReadSlack, 0, max);
    }

    /// <summary>Input this connection holds: the partial frame, and with TLS a partial record.</summary>
    private long HeldInput => _input.Length + (long)(_tls?.HeldBytes ?? 0);

    /// <summary>
    /// Readable with nothing to read: the peer closed (or the connection failed). For a connection
    /// that may not read now; a poll and an ioctl, no buffer.
    /// </summary>
    private bool PeerGone()
    {
        try
        {
            return _socket.Available == 0 && _socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Once a second while waiting for the budget: a peer that left is closed, which gives its share back.</summary>
    internal void CheckWhileWaiting()
    {
        if (_budgetPaused && !IsClosed && PeerGone()) Close("closed by peer");
    }

    /// <summary>Settles this connection's share of the budget with what it holds now.</summary>
    private void Charge()
    {
        long charged = Math.Max(0, HeldInput - _manager.Limits.PrivateInputBytes);
        if (charged == _charged) return;
        long delta = charged - _charged;
        _charged = charged;
        _manager.Budget.Charge(delta);
    }

    /// <summary>Dispatches every whole frame at the start of <paramref name="data"/>; returns the bytes used.</summary>
    private int ProcessFrames(ReadOnlySpan<byte> data)
    {
        int offset = 0;
        while (!IsClosed && !_cutOff)
        {
            var rest = data[offset..];
            var status = FrameParser.TryReadFrame(rest, MaxPayload, out var header);
            if (status == FrameStatus.NeedMoreData) break;
            if (status != FrameStatus.Complete)
            {
                _manager.Sink.OnFramingError(this, status);
                Close($"framing error: {status}");
                break;
            }
            _manager.FramesReceived++;
            _manager.Sink.OnFrame(this, header, FrameParser.Payload(rest, header));
            offset += header.TotalLength;
            // A request may pause us (too many in flight): keep the rest for later.
            if (_readPaused) break;
        }
        return offset;
    }
}

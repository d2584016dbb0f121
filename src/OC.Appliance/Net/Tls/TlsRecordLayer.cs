using System.Buffers;
using System.Buffers.Binary;
using OC.Protocol.Framing;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// The TLS 1.3 record layer after the handshake (RFC 8446 §5), the appliance's own: OpenSSL does
/// the handshake and is freed, this seals and opens application_data records with the traffic
/// secrets it agreed. What it holds while a connection is idle is two <see cref="TrafficKeys"/>
/// (secrets, keys, IVs, sequence numbers), far less than OpenSSL's SSL object (docs/architecture.md,
/// "TLS in the event loop"). Post-handshake messages: KeyUpdate is honoured both ways (§4.6.3);
/// anything else (a NewSessionTicket, a post-handshake Certificate) was never asked for and ends
/// the connection, as does any alert (close_notify is the orderly end). Loop thread only.
/// </summary>
internal sealed class TlsRecordLayer : IDisposable
{
    public const int HeaderLength = 5;

    /// <summary>TLSInnerPlaintext (content, type, padding) is at most 2^14 + 1 bytes (§5.4).</summary>
    public const int MaxInnerPlaintext = (1 << 14) + 1;

    /// <summary>TLSCiphertext.length is at most 2^14 + 256 (§5.2).</summary>
    public const int MaxCiphertext = (1 << 14) + 256;

    private const int MaxContent = 1 << 14;

    private const byte ContentAlert = 21;
    private const byte ContentHandshake = 22;
    private const byte ContentApplicationData = 23;
    private const byte HandshakeKeyUpdate = 24;

    private const byte AlertCloseNotify = 0;
    private const byte AlertUnexpectedMessage = 10;
    private const byte AlertBadRecordMac = 20;
    private const byte AlertRecordOverflow = 22;
    private const byte AlertDecodeError = 50;

    private readonly ByteBuffer _wire;
    private readonly TrafficKeys _read;
    private readonly TrafficKeys _write;

    // The start of a record whose rest has not arrived (copied out of the loop's shared receive
    // buffer), and, only for a caller whose plaintext buffer is smaller than a record, the rest of
    // a record's plaintext. Both hold no array while empty.
    private readonly ByteBuffer _partial = new();
    private ByteBuffer? _leftover;

    private byte[]? _feed;
    private int _feedOffset;
    private int _feedCount;
    private bool _failed;
    private bool _usedSinceTrim;

    /// <param name="readSecret">The peer's application traffic secret (the server reads with the client's).</param>
    /// <param name="writeSecret">Our own.</param>
    public TlsRecordLayer(TlsCipherSuite suite, ReadOnlySpan<byte> readSecret, ReadOnlySpan<byte> writeSecret, ByteBuffer wire)
    {
        _wire = wire;
        _read = new TrafficKeys(suite, readSecret);
        _write = new TrafficKeys(suite, writeSecret);
    }

    public string? Error { get; private set; }

    /// <summary>Records sealed with one write key before we move to the next (a KeyUpdate of our own); lowered by tests.</summary>
    internal ulong WriteKeyLimit { get; set; } = 1UL << 24;

    /// <summary>Input held: a partial record's ciphertext and plaintext not yet taken. Counted in the connection's input budget.</summary>
    public int HeldBytes => _partial.Length + (_leftover?.Length ?? 0);

    /// <summary>Key generations the peer moved to (its KeyUpdates), and ours.</summary>
    public int ReadUpdates { get; private set; }
    public int WriteUpdates { get; private set; }

    public void Feed(byte[] buffer, int offset, int count)
    {
        _feed = buffer;
        _feedOffset = offset;
        _feedCount = count;
    }

    /// <summary>As <see cref="ITlsSession.Decrypt"/>: plaintext of whole records, 0 when a record is incomplete, -1 when failed or closed.</summary>
    public int Decrypt(Span<byte> plain)
    {
        if (_failed) return -1;
        _usedSinceTrim = true;
        int total = TakeLeftover(plain);
        while (!_failed && total < plain.Length)
        {
            if (!TryPeekRecord(out var record)) break;
            int inner = record.Length - HeaderLength - TrafficKeys.TagLength;
            if (plain.Length - total >= inner)
            {
                int got = OpenRecord(record, plain[total..], inner);
                if (got < 0) break;
                total += got;
                continue;
            }
            if (total > 0) break; // the next call has the room
            total = OpenIntoLeftover(record, inner, plain);
        }
        if (_feedCount == 0) _feed = null;
        if (total > 0) return total;
        return _failed ? -1 : 0;
    }

    /// <summary>Seals <paramref name="plain"/> as application_data records of up to 2^14 bytes onto the wire buffer.</summary>
    public bool Encrypt(ReadOnlySpan<byte> plain)
    {
        if (_failed) return false;
        _usedSinceTrim = true;
        while (!plain.IsEmpty)
        {
            // §5.5: an AES-GCM key seals at most 2^24.5 full records safely; ours moves on well before.
            if (_write.Sequence >= WriteKeyLimit) UpdateWriteKey(requestPeer: false);
            int take = Math.Min(plain.Length, MaxContent);
            WriteRecord(ContentApplicationData, plain[..take]);
            plain = plain[take..];
        }
        return true;
    }

    /// <summary>
    /// Once a second from the idle sweep: a connection that sealed and opened nothing since the last
    /// call lets its AES-GCM contexts go (they are made again on its next record).
    /// </summary>
    public void TrimIfIdle()
    {
        if (_usedSinceTrim)
        {
            _usedSinceTrim = false;
            return;
        }
        _read.Trim();
        _write.Trim();
    }

    public void Dispose()
    {
        _read.Dispose();
        _write.Dispose();
        _partial.Release();
        _leftover?.Release();
        _leftover = null;
        _feed = null;
    }

    /// <summary>Opens one whole record into <paramref name="into"/> (room for <paramref name="inner"/> bytes) and acts on it; the application data bytes, or -1 when failed.</summary>
    private int OpenRecord(ReadOnlySpan<byte> record, Span<byte> into, int inner)
    {
        if (!_read.Open(record, into))
        {
            Fail(AlertBadRecordMac, "TLS: a record failed authentication (bad_record_mac)");
            return -1;
        }
        ConsumeRecord(record.Length);
        // §5.4: the content type is the last non-zero byte; zeros after it are padding.
        int end = inner;
        while (end > 0 && into[end - 1] == 0) end--;
        if (end == 0)
        {
            Fail(AlertUnexpectedMessage, "TLS: a record with no content type");
            return -1;
        }
        if (inner > MaxInnerPlaintext)
        {
            Fail(AlertRecordOverflow, "TLS: a record's plaintext is longer than 2^14 bytes (record_overflow)");
            return -1;
        }
        byte type = into[end - 1];
        var content = into[..(end - 1)];
        switch (type)
        {
            case ContentApplicationData:
                return content.Length;
            case ContentHandshake:
                OnHandshake(content);
                return _failed ? -1 : 0;
            case ContentAlert:
                OnAlert(content);
                return -1;
            default:
                Fail(AlertUnexpectedMessage, $"TLS: an encrypted record of type {type} after the handshake");
                return -1;
        }
    }

    /// <summary>A record larger than the caller's buffer (only a caller with a small buffer): opened aside, handed out in pieces.</summary>
    private int OpenIntoLeftover(ReadOnlySpan<byte> record, int inner, Span<byte> plain)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(inner);
        try
        {
            int got = OpenRecord(record, scratch, inner);
            if (got <= 0) return 0;
            int now = Math.Min(got, plain.Length);
            scratch.AsSpan(0, now).CopyTo(plain);
            if (now < got) (_leftover ??= new ByteBuffer()).Write(scratch.AsSpan(now, got - now));
            return now;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch, clearArray: true);
        }
    }

    private int TakeLeftover(Span<byte> plain)
    {
        if (_leftover is null) return 0;
        int n = Math.Min(plain.Length, _leftover.Length);
        _leftover.Span[..n].CopyTo(plain);
        _leftover.Consume(n);
        if (_leftover.IsEmpty)
        {
            _leftover.Release();
            _leftover = null;
        }
        return n;
    }

    /// <summary>
    /// A whole record, from the fed ciphertext or completed in <see cref="_partial"/>; false when
    /// more must arrive (what came is kept) or the header is invalid (failed at once, before its
    /// body is waited for).
    /// </summary>
    private bool TryPeekRecord(out ReadOnlySpan<byte> record)
    {
        record = default;
        var fed = _feed is null ? ReadOnlySpan<byte>.Empty : _feed.AsSpan(_feedOffset, _feedCount);
        if (_partial.IsEmpty)
        {
            if (fed.IsEmpty) return false;
            if (fed.Length >= HeaderLength)
            {
                int length = CheckHeader(fed);
                if (length < 0) return false;
                if (fed.Length >= HeaderLength + length)
                {
                    record = fed[..(HeaderLength + length)];
                    return true;
                }
            }
            _partial.Write(fed);
            TakeFed(fed.Length);
            return false;
        }

        if (_partial.Length < HeaderLength)
        {
            int take = Math.Min(HeaderLength - _partial.Length, fed.Length);
            _partial.Write(fed[..take]);
            TakeFed(take);
            fed = fed[take..];
            if (_partial.Length < HeaderLength) return false;
        }
        int whole = CheckHeader(_partial.Span);
        if (whole < 0) return false;
        whole += HeaderLength;
        int missing = Math.Min(whole - _partial.Length, fed.Length);
        _partial.Write(fed[..missing]);
        TakeFed(missing);
        if (_partial.Length < whole) return false;
        record = _partial.Span;
        return true;
    }

    /// <summary>The record's length after its header, or -1 (failed) for a type or length TLS 1.3 never sends after the handshake.</summary>
    private int CheckHeader(ReadOnlySpan<byte> header)
    {
        // §5.1: legacy_record_version is ignored. Every record after the handshake is application_data
        // on the outside (a late change_cipher_spec is unexpected once the peer's Finished came, §5).
        if (header[0] != ContentApplicationData)
        {
            Fail(AlertUnexpectedMessage, $"TLS: a record of type {header[0]} after the handshake");
            return -1;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
        if (length > MaxCiphertext)
        {
            Fail(AlertRecordOverflow, $"TLS: a record of {length} bytes, more than 2^14 + 256 (record_overflow)");
            return -1;
        }
        if (length < 1 + TrafficKeys.TagLength)
        {
            Fail(AlertDecodeError, $"TLS: a record of {length} bytes, too short to be sealed");
            return -1;
        }
        return length;
    }

    private void TakeFed(int count)
    {
        _feedOffset += count;
        _feedCount -= count;
    }

    private void ConsumeRecord(int length)
    {
        if (!_partial.IsEmpty) _partial.Release();
        else TakeFed(length);
    }

    /// <summary>
    /// Post-handshake messages (§4.6): only KeyUpdate is expected. It changes keys, so it must end
    /// its record (§5.1); a handshake message split across records is not taken (no client sends
    /// its 5-byte KeyUpdate in pieces).
    /// </summary>
    private void OnHandshake(ReadOnlySpan<byte> messages)
    {
        if (messages.IsEmpty)
        {
            Fail(AlertUnexpectedMessage, "TLS: an empty handshake record");
            return;
        }
        while (!messages.IsEmpty)
        {
            if (messages.Length < 4)
            {
                Fail(AlertUnexpectedMessage, "TLS: a handshake message split across records");
                return;
            }
            byte type = messages[0];
            int length = (messages[1] << 16) | (messages[2] << 8) | messages[3];
            if (type != HandshakeKeyUpdate)
            {
                Fail(AlertUnexpectedMessage, $"TLS: handshake message {type} after the handshake");
                return;
            }
            if (messages.Length < 4 + length)
            {
                Fail(AlertUnexpectedMessage, "TLS: a handshake message split across records");
                return;
            }
            if (length != 1 || messages[4] > 1)
            {
                Fail(AlertDecodeError, "TLS: a malformed KeyUpdate");
                return;
            }
            if (messages.Length != 5)
            {
                Fail(AlertUnexpectedMessage, "TLS: a KeyUpdate that does not end its record");
                return;
            }
            bool requested = messages[4] == 1;
            _read.Update();
            ReadUpdates++;
            // §4.6.3: update_requested is answered with our own KeyUpdate (update_not_requested)
            // before our next application data; sent now, sealed with the old key, then ours moves on.
            if (requested) UpdateWriteKey(requestPeer: false);
            return;
        }
    }

    /// <summary>Sends a KeyUpdate and moves our write key to the next generation (also what a test's client uses to ask for ours).</summary>
    public void UpdateWriteKey(bool requestPeer)
    {
        if (_failed) return;
        ReadOnlySpan<byte> keyUpdate = [HandshakeKeyUpdate, 0, 0, 1, requestPeer ? (byte)1 : (byte)0];
        WriteRecord(ContentHandshake, keyUpdate);
        _write.Update();
        WriteUpdates++;
    }

    private void OnAlert(ReadOnlySpan<byte> alert)
    {
        if (alert.Length != 2)
        {
            Fail(AlertDecodeError, "TLS: a malformed alert");
            return;
        }
        if (alert[1] == AlertCloseNotify)
        {
            // The orderly end: our own close_notify back (§6.1), then the connection closes.
            WriteAlert(AlertCloseNotify, fatal: false);
            Fail(null, "closed by peer (TLS close_notify)");
            return;
        }
        // Any other alert ends the connection too (TLS 1.3 has no warnings but user_canceled, which close_notify follows).
        Fail(null, $"TLS: the peer sent alert {alert[1]}");
    }

    /// <summary>Our own close_notify (an orderly close from this side); nothing is sealed after it.</summary>
    public void CloseNotify()
    {
        if (_failed) return;
        WriteAlert(AlertCloseNotify, fatal: false);
        Fail(null, "closed (TLS close_notify sent)");
    }

    private void Fail(byte? alert, string why)
    {
        if (_failed) return;
        if (alert is { } description) WriteAlert(description, fatal: true);
        _failed = true;
        Error ??= why;
    }

    private void WriteAlert(byte description, bool fatal)
    {
        ReadOnlySpan<byte> alert = [fatal ? (byte)2 : (byte)1, description];
        WriteRecord(ContentAlert, alert);
    }

    /// <summary>One record: header, content, its type, tag; sealed in place in the wire buffer.</summary>
    private void WriteRecord(byte type, ReadOnlySpan<byte> content)
    {
        int length = content.Length + 1 + TrafficKeys.TagLength;
        var record = _wire.GetSpan(HeaderLength + length)[..(HeaderLength + length)];
        record[0] = ContentApplicationData;
        record[1] = 0x03;
        record[2] = 0x03;
        BinaryPrimitives.WriteUInt16BigEndian(record[3..], (ushort)length);
        content.CopyTo(record[HeaderLength..]);
        record[HeaderLength + content.Length] = type;
        _write.Seal(record);
        _wire.Advance(record.Length);
    }
}

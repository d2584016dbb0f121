using System.Buffers.Binary;
using System.Security.Cryptography;
using OC.Appliance.Net.Tls;
using OC.Protocol.Framing;

namespace OC.Tests.Net;

/// <summary>
/// The appliance's own TLS 1.3 record layer (RFC 8446 §5), between two instances over memory: the
/// server's and a client's made from the same traffic secrets with the roles swapped, so a test
/// can send what .NET's SslStream never sends (a KeyUpdate, a padded record, a record too large).
/// Interoperation with a real TLS stack is in <see cref="TlsSessionContractTests"/> and below.
/// </summary>
public sealed class TlsRecordLayerTests
{
    [Fact]
    public void Key_and_iv_come_from_the_traffic_secret_as_in_RFC_8448()
    {
        // RFC 8448 §3, "Simple 1-RTT Handshake": {server} derive write traffic keys for application data.
        var secret = Convert.FromHexString("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
        var key = new byte[16];
        var iv = new byte[12];

        TrafficKeys.ExpandLabel(HashAlgorithmName.SHA256, secret, "key"u8, key);
        TrafficKeys.ExpandLabel(HashAlgorithmName.SHA256, secret, "iv"u8, iv);

        Assert.Equal("9f02283b6c9c07efc26bb9f2ac92e356", Convert.ToHexStringLower(key));
        Assert.Equal("cf782b88dd83549aadf1e984", Convert.ToHexStringLower(iv));
    }

    [Theory]
    [InlineData(0x1301)]
    [InlineData(0x1302)]
    public void Data_goes_both_ways_in_records_of_at_most_2_to_the_14_bytes(int suite)
    {
        using var pair = new Pair(TlsCipherSuite.FromId((ushort)suite)!.Value);
        var up = RandomNumberGenerator.GetBytes(70_000);
        var down = RandomNumberGenerator.GetBytes(50_000);

        Assert.True(pair.Client.Encrypt(up));
        Assert.Equal(5, CountRecords(pair.ToServer.Span));
        Assert.Equal(up, pair.ToServerPlain());
        Assert.True(pair.Server.Encrypt(down));
        Assert.Equal(down, pair.ToClientPlain());
        Assert.Equal(0, pair.Server.HeldBytes);
    }

    [Fact]
    public void A_record_fed_in_pieces_is_held_counted_and_opened_once_whole()
    {
        using var pair = new Pair();
        var up = RandomNumberGenerator.GetBytes(3_000);
        pair.Client.Encrypt(up);
        var cipher = pair.ToServer.Span.ToArray();
        pair.ToServer.Release();

        var received = new ByteBuffer();
        var plain = new byte[64 * 1024];
        for (int i = 0; i < cipher.Length; i++)
        {
            pair.Server.Feed(cipher, i, 1);
            int n = pair.Server.Decrypt(plain);
            if (i < cipher.Length - 1)
            {
                Assert.Equal(0, n);
                Assert.Equal(i + 1, pair.Server.HeldBytes);
            }
            else
            {
                received.Write(plain.AsSpan(0, n));
            }
        }
        Assert.Equal(up, received.Span.ToArray());
        Assert.Equal(0, pair.Server.HeldBytes);
    }

    [Fact]
    public void Padding_is_stripped_and_an_empty_application_record_is_allowed()
    {
        using var pair = new Pair();
        pair.ClientWritesRaw(23, "padded"u8, padding: 100);
        pair.ClientWritesRaw(23, [], padding: 0);
        pair.ClientWritesRaw(23, "after"u8, padding: 3);

        Assert.Equal("paddedafter"u8.ToArray(), pair.ToServerPlain());
        Assert.Null(pair.Server.Error);
    }

    [Fact]
    public void A_KeyUpdate_that_asks_for_ours_moves_both_directions_to_new_keys()
    {
        using var pair = new Pair();
        pair.Client.UpdateWriteKey(requestPeer: true);
        pair.Client.Encrypt("after the client's update"u8);

        Assert.Equal("after the client's update"u8.ToArray(), pair.ToServerPlain());
        Assert.Equal(1, pair.Server.ReadUpdates);
        Assert.Equal(1, pair.Server.WriteUpdates); // its own KeyUpdate, already on the wire

        pair.Server.Encrypt("after the server's update"u8);
        Assert.Equal("after the server's update"u8.ToArray(), pair.ToClientPlain());
        Assert.Equal(1, pair.Client.ReadUpdates);
        Assert.Equal(1, pair.Client.WriteUpdates); // the client updated once, and was not asked again
        Assert.Null(pair.Server.Error);
        Assert.Null(pair.Client.Error);
    }

    [Fact]
    public void A_KeyUpdate_not_requested_changes_only_the_peers_keys()
    {
        using var pair = new Pair();
        pair.Client.UpdateWriteKey(requestPeer: false);
        pair.Client.UpdateWriteKey(requestPeer: false);
        pair.Client.Encrypt("two generations on"u8);

        Assert.Equal("two generations on"u8.ToArray(), pair.ToServerPlain());
        Assert.Equal(2, pair.Server.ReadUpdates);
        Assert.Equal(0, pair.Server.WriteUpdates);
        Assert.True(pair.ToClient.IsEmpty);
    }

    [Fact]
    public void A_write_key_that_sealed_its_limit_of_records_moves_on_by_itself()
    {
        using var pair = new Pair();
        pair.Server.WriteKeyLimit = 3;
        var down = RandomNumberGenerator.GetBytes(7 * (1 << 14)); // seven full records

        Assert.True(pair.Server.Encrypt(down));

        Assert.Equal(down, pair.ToClientPlain());
        Assert.Equal(2, pair.Server.WriteUpdates); // after records 3 and 6
        Assert.Equal(2, pair.Client.ReadUpdates);
        Assert.Null(pair.Client.Error);
    }

    [Fact]
    public void A_tampered_record_fails_with_bad_record_mac_and_the_peer_is_told()
    {
        using var pair = new Pair();
        pair.Client.Encrypt("a frame"u8);
        var record = pair.ToServer.Span.ToArray();
        record[8] ^= 0x01;
        pair.ToServer.Release();
        pair.ToServer.Write(record);

        Assert.Equal(-1, pair.FeedServer());
        Assert.Contains("bad_record_mac", pair.Server.Error, StringComparison.Ordinal);
        Assert.False(pair.Server.Encrypt("reply"u8));
        Assert.Equal(-1, pair.FeedClient());
        Assert.Contains("alert 20", pair.Client.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_whose_plaintext_is_over_2_to_the_14_plus_1_fails_with_record_overflow()
    {
        using var pair = new Pair();
        pair.ClientWritesRaw(23, new byte[(1 << 14) + 1], padding: 0); // inner plaintext 2^14 + 2

        Assert.Equal(-1, pair.FeedServer());
        Assert.Contains("record_overflow", pair.Server.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_announcing_more_than_2_to_the_14_plus_256_fails_before_the_body()
    {
        using var pair = new Pair();
        byte[] header = [23, 3, 3, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(3), TlsRecordLayer.MaxCiphertext + 1);
        pair.Server.Feed(header, 0, header.Length);

        Assert.Equal(-1, pair.Server.Decrypt(new byte[100]));
        Assert.Contains("record_overflow", pair.Server.Error, StringComparison.Ordinal);
        Assert.Equal(0, pair.Server.HeldBytes);
    }

    [Fact]
    public void A_close_notify_ends_the_session_and_is_answered_with_ours()
    {
        using var pair = new Pair();
        pair.Client.Encrypt("last words"u8);
        pair.Client.CloseNotify();

        var received = new byte[100];
        pair.Server.Feed(pair.ToServer.Span.ToArray(), 0, pair.ToServer.Length);
        pair.ToServer.Release();
        Assert.Equal(10, pair.Server.Decrypt(received)); // the data before it first
        Assert.Equal(-1, pair.Server.Decrypt(received));
        Assert.Contains("close_notify", pair.Server.Error, StringComparison.Ordinal);
        Assert.Equal(-1, pair.FeedClient());
        Assert.Contains("close_notify", pair.Client.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)22, new byte[] { 4, 0, 0, 1, 0 })] // a NewSessionTicket: never asked for
    [InlineData((byte)22, new byte[] { 24, 0, 0, 1, 0, 24 })] // a KeyUpdate that does not end its record
    [InlineData((byte)22, new byte[] { 24, 0 })] // a handshake message split across records
    [InlineData((byte)20, new byte[] { 1 })] // change_cipher_spec inside a record
    public void Post_handshake_messages_other_than_a_whole_KeyUpdate_close_the_session(byte type, byte[] content)
    {
        using var pair = new Pair();
        pair.ClientWritesRaw(type, content, padding: 0);

        Assert.Equal(-1, pair.FeedServer());
        Assert.Contains("TLS:", pair.Server.Error, StringComparison.Ordinal);
        Assert.Equal(0, pair.Server.ReadUpdates);
    }

    [Fact]
    public void A_record_of_another_outer_type_after_the_handshake_closes_the_session()
    {
        using var pair = new Pair();
        byte[] changeCipherSpec = [20, 3, 3, 0, 1, 1];
        pair.Server.Feed(changeCipherSpec, 0, changeCipherSpec.Length);

        Assert.Equal(-1, pair.Server.Decrypt(new byte[100]));
        Assert.Contains("type 20", pair.Server.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Idle_keys_let_their_AES_contexts_go_and_work_again_after()
    {
        using var pair = new Pair();
        pair.Client.Encrypt("before"u8);
        Assert.Equal("before"u8.ToArray(), pair.ToServerPlain());

        pair.Server.TrimIfIdle(); // used since the last sweep: kept
        pair.Server.TrimIfIdle(); // quiet for a sweep: let go
        pair.Client.Encrypt("after"u8);

        Assert.Equal("after"u8.ToArray(), pair.ToServerPlain());
        pair.Server.Encrypt("reply"u8);
        Assert.Equal("reply"u8.ToArray(), pair.ToClientPlain());
    }

    private static int CountRecords(ReadOnlySpan<byte> wire)
    {
        int count = 0;
        while (!wire.IsEmpty)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(wire[3..]);
            Assert.True(length <= (1 << 14) + 1 + 16, $"a record of {length} bytes");
            wire = wire[(5 + length)..];
            count++;
        }
        return count;
    }

    /// <summary>A server's record layer and a client's over the same secrets, and the wire between them.</summary>
    private sealed class Pair : IDisposable
    {
        private readonly TlsCipherSuite _suite;
        private readonly byte[] _clientSecret;

        public Pair(TlsCipherSuite? suite = null)
        {
            _suite = suite ?? TlsCipherSuite.Aes128GcmSha256;
            _clientSecret = RandomNumberGenerator.GetBytes(_suite.HashLength);
            var serverSecret = RandomNumberGenerator.GetBytes(_suite.HashLength);
            Server = new TlsRecordLayer(_suite, _clientSecret, serverSecret, ToClient);
            Client = new TlsRecordLayer(_suite, serverSecret, _clientSecret, ToServer);
            RawClient = new TrafficKeys(_suite, _clientSecret);
        }

        public ByteBuffer ToServer { get; } = new();
        public ByteBuffer ToClient { get; } = new();
        public TlsRecordLayer Server { get; }
        public TlsRecordLayer Client { get; }

        /// <summary>The client's write keys, for records the record layer would never write (in step with <see cref="Client"/> only if that writes nothing).</summary>
        private TrafficKeys RawClient { get; }

        public void ClientWritesRaw(byte type, ReadOnlySpan<byte> content, int padding)
        {
            int length = content.Length + 1 + padding + 16;
            var record = new byte[5 + length];
            record[0] = 23;
            record[1] = record[2] = 3;
            BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), (ushort)length);
            content.CopyTo(record.AsSpan(5));
            record[5 + content.Length] = type;
            RawClient.Seal(record);
            ToServer.Write(record);
        }

        public byte[] ToServerPlain() => Move(ToServer, Server, out _);
        public byte[] ToClientPlain() => Move(ToClient, Client, out _);

        public int FeedServer()
        {
            Move(ToServer, Server, out int last);
            return last;
        }

        public int FeedClient()
        {
            Move(ToClient, Client, out int last);
            return last;
        }

        private static byte[] Move(ByteBuffer wire, TlsRecordLayer to, out int last)
        {
            var cipher = wire.Span.ToArray();
            wire.Release();
            to.Feed(cipher, 0, cipher.Length);
            var received = new ByteBuffer();
            var plain = new byte[64 * 1024];
            while ((last = to.Decrypt(plain)) > 0) received.Write(plain.AsSpan(0, last));
            return received.Span.ToArray();
        }

        public void Dispose()
        {
            Server.Dispose();
            Client.Dispose();
            RawClient.Dispose();
        }
    }
}

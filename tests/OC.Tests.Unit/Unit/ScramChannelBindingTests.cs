using System.Security.Cryptography;
using System.Text;
using OC.Protocol.Security;

namespace OC.Tests.Unit;

/// <summary>SCRAM-SHA-256-PLUS with tls-server-end-point (RFC 5802 §6, RFC 5929 §4): both sides, no sockets.</summary>
public sealed class ScramChannelBindingTests
{
    private const string User = "123456";
    private const string Password = "pencil";
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string PlusHeader = "p=tls-server-end-point,,";

    private static readonly ScramCredentials s_credentials =
        ScramCredentials.Derive(Password, Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), ScramCredentials.MinIterations);

    // Two certificates' bindings: the appliance's, and the one a relay would present.
    private static readonly byte[] s_appliance = SHA256.HashData("the appliance's certificate"u8);
    private static readonly byte[] s_relay = SHA256.HashData("a relay's certificate"u8);

    [Fact]
    public void Plus_client_sends_the_tls_server_end_point_header_and_binds_the_data_in_c()
    {
        var client = new ScramClient(User, Password, ClientNonce, s_appliance);
        Assert.Equal(PlusHeader + "n=123456,r=" + ClientNonce, client.ClientFirstMessage);

        var clientFinal = client.ProcessServerFirst(ServerFirst());

        // c= is base64(gs2-header || cbind-data) (RFC 5802 §7 cbind-input).
        byte[] expected = [.. Encoding.ASCII.GetBytes(PlusHeader), .. s_appliance];
        Assert.StartsWith("c=" + Convert.ToBase64String(expected) + ",r=" + ClientNonce + ServerNonce + ",p=", clientFinal, StringComparison.Ordinal);
    }

    [Fact]
    public void Plus_round_trip_succeeds_when_both_ends_see_the_same_certificate()
    {
        var client = new ScramClient(User, Password, channelBinding: s_appliance);
        Assert.True(ScramServer.TryParseClientFirst(client.ClientFirstMessage, s_appliance, out var username, out _, out var error, out bool refused), error);
        Assert.False(refused);
        Assert.Equal(User, username);

        var server = new ScramServer(client.ClientFirstMessage, s_credentials, s_appliance);
        Assert.True(server.TryVerifyClientFinal(client.ProcessServerFirst(server.ServerFirstMessage), out var serverFinal), serverFinal);
        Assert.True(client.VerifyServerFinal(serverFinal));
    }

    [Fact]
    public void Plus_fails_with_channel_bindings_dont_match_when_the_client_saw_another_certificate()
    {
        // A relay terminates the client's TLS with its own certificate and opens its own TLS to the appliance.
        var client = new ScramClient(User, Password, channelBinding: s_relay);
        Assert.True(ScramServer.TryParseClientFirst(client.ClientFirstMessage, s_appliance, out _, out _, out var error, out _), error);
        var server = new ScramServer(client.ClientFirstMessage, s_credentials, s_appliance);

        Assert.False(server.TryVerifyClientFinal(client.ProcessServerFirst(server.ServerFirstMessage), out var serverFinal));
        Assert.Equal(ScramServer.ChannelBindingsDontMatch, serverFinal);
        Assert.Equal("e=channel-bindings-dont-match", serverFinal);
    }

    [Fact]
    public void A_relay_that_rewrites_c_to_the_appliances_binding_breaks_the_proof()
    {
        // The proof covers c=, so making it match the appliance's certificate makes the proof wrong.
        var client = new ScramClient(User, Password, channelBinding: s_relay);
        var server = new ScramServer(client.ClientFirstMessage, s_credentials, s_appliance);
        var clientFinal = client.ProcessServerFirst(server.ServerFirstMessage);
        var rewritten = "c=" + Convert.ToBase64String([.. Encoding.ASCII.GetBytes(PlusHeader), .. s_appliance])
            + clientFinal[clientFinal.IndexOf(",r=", StringComparison.Ordinal)..];

        Assert.False(server.TryVerifyClientFinal(rewritten, out var serverFinal));
        Assert.Equal("e=invalid-proof", serverFinal);
    }

    [Fact]
    public void Plus_with_the_wrong_password_still_fails_as_invalid_proof()
    {
        var client = new ScramClient(User, "pencil2", channelBinding: s_appliance);
        var server = new ScramServer(client.ClientFirstMessage, s_credentials, s_appliance);

        Assert.False(server.TryVerifyClientFinal(client.ProcessServerFirst(server.ServerFirstMessage), out var serverFinal));
        Assert.Equal("e=invalid-proof", serverFinal);
    }

    [Theory]
    [InlineData("n,,n=123456,r=abc", "'n,,'")]
    [InlineData("y,,n=123456,r=abc", "'y,,'")]
    [InlineData("p=tls-unique,,n=123456,r=abc", "tls-server-end-point")]
    [InlineData("p=tls-exporter,,n=123456,r=abc", "tls-server-end-point")]
    [InlineData("p=tls-server-end-pointx,,n=123456,r=abc", "tls-server-end-point")]
    public void Over_TLS_a_header_without_tls_server_end_point_is_refused_as_a_channel_binding_problem(string clientFirst, string reason)
    {
        Assert.False(ScramServer.TryParseClientFirst(clientFirst, s_appliance, out _, out _, out var error, out bool refused));
        Assert.True(refused);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ScramServer(clientFirst, s_credentials, s_appliance));
    }

    [Fact]
    public void Over_TLS_the_plain_client_of_today_is_refused_as_a_downgrade()
    {
        var plain = new ScramClient(User, Password);

        Assert.False(ScramServer.TryParseClientFirst(plain.ClientFirstMessage, s_appliance, out _, out _, out var error, out bool refused));
        Assert.True(refused);
        Assert.Contains("SCRAM-SHA-256-PLUS", error, StringComparison.Ordinal);
    }

    [Fact]
    public void On_plaintext_a_channel_bound_client_is_refused()
    {
        var client = new ScramClient(User, Password, channelBinding: s_relay);

        Assert.False(ScramServer.TryParseClientFirst(client.ClientFirstMessage, null, out _, out _, out var error, out bool refused));
        Assert.True(refused);
        Assert.Contains("not TLS", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ScramServer(client.ClientFirstMessage, s_credentials, null));
    }

    [Fact]
    public void On_plaintext_y_is_accepted_per_RFC_5802_and_its_c_must_say_y()
    {
        // "y": the client could bind but thinks the server cannot, which is true on plaintext.
        const string clientFirst = "y,,n=user,r=" + ClientNonce;
        Assert.True(ScramServer.TryParseClientFirst(clientFirst, null, out var username, out _, out var error, out _), error);
        Assert.Equal("user", username);

        // The RFC 7677 exchange with c=eSws (base64 "y,,") instead of biws: the proof is over it.
        var proof = ProofFor("n=user,r=" + ClientNonce, ClientNonce + ServerNonce, "eSws");
        var server = new ScramServer(clientFirst, s_credentials, null, ServerNonce);
        Assert.True(server.TryVerifyClientFinal("c=eSws,r=" + ClientNonce + ServerNonce + ",p=" + proof, out var serverFinal), serverFinal);

        var biws = new ScramServer(clientFirst, s_credentials, null, ServerNonce);
        Assert.False(biws.TryVerifyClientFinal("c=biws,r=" + ClientNonce + ServerNonce + ",p=" + proof, out serverFinal));
        Assert.Equal(ScramServer.ChannelBindingsDontMatch, serverFinal);
    }

    [Fact]
    public void On_plaintext_the_plain_client_is_unchanged()
    {
        var client = new ScramClient(User, Password, ClientNonce);
        Assert.Equal("n,,n=123456,r=" + ClientNonce, client.ClientFirstMessage);
        Assert.StartsWith("c=biws,", client.ProcessServerFirst(ServerFirst()), StringComparison.Ordinal);
    }

    [Fact]
    public void Over_TLS_c_without_the_data_is_refused_before_the_proof()
    {
        var server = new ScramServer(PlusHeader + "n=123456,r=" + ClientNonce, s_credentials, s_appliance, ServerNonce);
        var headerOnly = Convert.ToBase64String(Encoding.ASCII.GetBytes(PlusHeader));

        Assert.False(server.TryVerifyClientFinal($"c={headerOnly},r={ClientNonce}{ServerNonce},p={new string('A', 43)}=", out var serverFinal));
        Assert.Equal(ScramServer.ChannelBindingsDontMatch, serverFinal);
    }

    [Theory]
    [InlineData("p=,,n=123456,r=abc")]
    [InlineData("p=tls server end point,,n=123456,r=abc")]
    [InlineData("p=tls-server-end-point,n=123456,r=abc")]
    [InlineData("p=tls-server-end-point")]
    [InlineData("P=tls-server-end-point,,n=123456,r=abc")]
    [InlineData("p,,n=123456,r=abc")]
    [InlineData(",,n=123456,r=abc")]
    [InlineData("n,x,n=123456,r=abc")]
    [InlineData("pp=tls-server-end-point,,n=123456,r=abc")]
    public void Malformed_GS2_headers_are_refused_as_malformed_without_throwing(string clientFirst)
    {
        foreach (var channelBinding in new[] { null, s_appliance })
        {
            Assert.False(ScramServer.TryParseClientFirst(clientFirst, channelBinding, out _, out _, out var error, out bool refused));
            Assert.False(refused, error);
            Assert.Contains("GS2", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("p=tls-server-end-point,a=admin,n=123456,r=abc")]
    [InlineData("p=tls-server-end-point,a=123456,n=123456,r=abc")]
    public void An_authorisation_identity_stays_unsupported_with_channel_binding(string clientFirst)
    {
        Assert.False(ScramServer.TryParseClientFirst(clientFirst, s_appliance, out _, out _, out var error, out bool refused));
        Assert.False(refused);
        Assert.Contains("authorisation identity", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p=tls-server-end-point,,n=123456")]
    [InlineData("p=tls-server-end-point,,r=abc,n=123456")]
    [InlineData("p=tls-server-end-point,,m=x,n=123456,r=abc")]
    [InlineData("p=tls-server-end-point,,n=123456,r=a b")]
    [InlineData("p=tls-server-end-point,,")]
    public void A_plus_header_with_a_malformed_rest_is_refused_as_malformed(string clientFirst)
    {
        Assert.False(ScramServer.TryParseClientFirst(clientFirst, s_appliance, out _, out _, out _, out bool refused));
        Assert.False(refused);
    }

    [Fact]
    public void Every_truncation_and_single_character_change_of_plus_messages_is_handled_without_throwing()
    {
        var client = new ScramClient(User, Password, ClientNonce, s_appliance);
        var clientFirst = client.ClientFirstMessage;
        var clientFinal = client.ProcessServerFirst(ServerFirst());
        char[] replacements = [',', '=', 'x', 'A', '\0', '\u00e9', ' '];
        foreach (var channelBinding in new[] { null, s_appliance, s_relay })
        {
            foreach (var variant in Variants(clientFirst, replacements))
            {
                if (ScramServer.TryParseClientFirst(variant, channelBinding, out _, out _, out var error, out _))
                {
                    _ = new ScramServer(variant, s_credentials, channelBinding, ServerNonce);
                }
                else
                {
                    Assert.NotEmpty(error);
                }
            }
        }

        Assert.True(new ScramServer(clientFirst, s_credentials, s_appliance, ServerNonce).TryVerifyClientFinal(clientFinal, out _));
        foreach (var variant in Variants(clientFinal, replacements))
        {
            var server = new ScramServer(clientFirst, s_credentials, s_appliance, ServerNonce);
            Assert.False(server.TryVerifyClientFinal(variant, out var serverFinal), variant);
            Assert.StartsWith("e=", serverFinal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Overlong_plus_client_final_is_refused_without_throwing()
    {
        var server = new ScramServer(PlusHeader + "n=123456,r=" + ClientNonce, s_credentials, s_appliance, ServerNonce);

        Assert.False(server.TryVerifyClientFinal("c=" + new string('A', ScramServer.MaxMessageLength) + ",r=x,p=AAAA", out var serverFinal));
        Assert.Equal("e=invalid-encoding", serverFinal);
    }

    [Fact]
    public void Channel_binding_data_from_our_own_code_must_be_a_hash_sized_array()
    {
        Assert.Throws<ArgumentException>(() => new ScramClient(User, Password, channelBinding: []));
        Assert.Throws<ArgumentException>(() => new ScramClient(User, Password, channelBinding: new byte[ChannelBinding.MaxLength + 1]));
        Assert.Throws<ArgumentException>(() => new ScramServer("n,,n=user,r=abc", s_credentials, []));
        Assert.Throws<ArgumentException>(() => ScramServer.TryParseClientFirst("n,,n=user,r=abc", new byte[ChannelBinding.MaxLength + 1], out _, out _, out _, out _));
        Assert.Equal(PlusHeader, new ScramClient(User, Password, channelBinding: new byte[ChannelBinding.MaxLength]).ClientFirstMessage[..PlusHeader.Length]);
    }

    private static string ServerFirst() => "r=" + ClientNonce + ServerNonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    // ClientProof for a hand-made exchange (RFC 5802 §3), to test headers our client never sends.
    private static string ProofFor(string clientFirstBare, string nonce, string channelBinding)
    {
        var authMessage = Encoding.UTF8.GetBytes(clientFirstBare + "," + ServerFirst() + ",c=" + channelBinding + ",r=" + nonce);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Password, Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), authMessage);
        for (var i = 0; i < signature.Length; i++)
        {
            signature[i] ^= clientKey[i];
        }

        return Convert.ToBase64String(signature);
    }

    // Every prefix of the message, and the message with each character replaced in turn.
    private static IEnumerable<string> Variants(string message, char[] replacements)
    {
        for (var length = 0; length < message.Length; length++)
        {
            yield return message[..length];
        }

        for (var i = 0; i < message.Length; i++)
        {
            foreach (var replacement in replacements)
            {
                if (message[i] != replacement)
                {
                    yield return string.Concat(message.AsSpan(0, i), new ReadOnlySpan<char>(in replacement), message.AsSpan(i + 1));
                }
            }
        }
    }
}

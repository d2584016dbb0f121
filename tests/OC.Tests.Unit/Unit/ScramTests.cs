using System.Text;
using OC.Protocol.Security;

namespace OC.Tests.Unit;

public sealed class ScramTests
{
    // RFC 7677 §3.
    private const string RfcUser = "user";
    private const string RfcPassword = "pencil";
    private const string RfcClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string RfcSalt = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private const string RfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    // Derived once: PBKDF2 at 4096 rounds is the slow part of every test.
    private static readonly ScramCredentials s_rfcCredentials =
        ScramCredentials.Derive(RfcPassword, Convert.FromBase64String(RfcSalt), ScramCredentials.MinIterations);

    [Fact]
    public void Rfc7677_test_vector_matches_every_message_on_both_sides()
    {
        var client = new ScramClient(RfcUser, RfcPassword, RfcClientNonce);
        Assert.Equal(RfcClientFirst, client.ClientFirstMessage);

        Assert.True(ScramServer.TryParseClientFirst(client.ClientFirstMessage, null, out var username, out var clientNonce, out var error, out _), error);
        Assert.Equal(RfcUser, username);
        Assert.Equal(RfcClientNonce, clientNonce);
        Assert.Equal(string.Empty, error);

        var server = new ScramServer(client.ClientFirstMessage, s_rfcCredentials, null, RfcServerNonce);
        Assert.Equal(RfcServerFirst, server.ServerFirstMessage);

        var clientFinal = client.ProcessServerFirst(server.ServerFirstMessage);
        Assert.Equal(RfcClientFinal, clientFinal);

        Assert.True(server.TryVerifyClientFinal(clientFinal, out var serverFinal));
        Assert.Equal(RfcServerFinal, serverFinal);
        Assert.True(client.VerifyServerFinal(serverFinal));
        Assert.Null(client.ServerError);
    }

    [Fact]
    public void Derived_credentials_keep_salt_and_iterations()
    {
        Assert.Equal(RfcSalt, Convert.ToBase64String(s_rfcCredentials.Salt));
        Assert.Equal(4096, s_rfcCredentials.Iterations);
        Assert.Equal(ScramCredentials.KeyLength, s_rfcCredentials.StoredKey.Length);
        Assert.Equal(ScramCredentials.KeyLength, s_rfcCredentials.ServerKey.Length);
    }

    [Fact]
    public void Wrong_password_fails_on_the_server_with_invalid_proof()
    {
        var client = new ScramClient(RfcUser, "pencil2", RfcClientNonce);
        var server = new ScramServer(client.ClientFirstMessage, s_rfcCredentials, null, RfcServerNonce);
        var clientFinal = client.ProcessServerFirst(server.ServerFirstMessage);

        Assert.False(server.TryVerifyClientFinal(clientFinal, out var serverFinal));
        Assert.Equal("e=invalid-proof", serverFinal);
    }

    [Fact]
    public void Tampered_proof_fails_on_the_server()
    {
        var server = new ScramServer(RfcClientFirst, s_rfcCredentials, null, RfcServerNonce);
        var tampered = RfcClientFinal.Replace("p=dHzb", "p=dHzc", StringComparison.Ordinal);

        Assert.False(server.TryVerifyClientFinal(tampered, out var serverFinal));
        Assert.Equal("e=invalid-proof", serverFinal);
    }

    [Fact]
    public void A_server_accepts_only_one_attempt()
    {
        var server = new ScramServer(RfcClientFirst, s_rfcCredentials, null, RfcServerNonce);
        Assert.False(server.TryVerifyClientFinal("c=biws,r=x,p=AAAA", out _));

        Assert.False(server.TryVerifyClientFinal(RfcClientFinal, out var serverFinal));
        Assert.StartsWith("e=", serverFinal, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_server_signature_fails_on_the_client()
    {
        var client = RfcClientAfterServerFirst();
        var tampered = "v=" + Convert.ToBase64String(new byte[ScramCredentials.KeyLength]);

        Assert.False(client.VerifyServerFinal(tampered));
    }

    [Fact]
    public void Server_error_fails_on_the_client_and_is_exposed()
    {
        var client = RfcClientAfterServerFirst();

        Assert.False(client.VerifyServerFinal("e=invalid-proof"));
        Assert.Equal("invalid-proof", client.ServerError);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x=1")]
    [InlineData("v=not base64!")]
    [InlineData("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,")]
    [InlineData("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,v=AAAA")]
    public void Malformed_server_final_throws_ScramException(string serverFinal)
    {
        var client = RfcClientAfterServerFirst();

        Assert.Throws<ScramException>(() => client.VerifyServerFinal(serverFinal));
    }

    [Fact]
    public void Server_final_with_an_unknown_extension_still_verifies()
    {
        var client = RfcClientAfterServerFirst();

        Assert.True(client.VerifyServerFinal(RfcServerFinal + ",x=ignored"));
    }

    [Theory]
    // Nonce does not start with the client nonce, or adds nothing to it.
    [InlineData("r=XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("r=%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    // Iteration count below RFC 7677 §4's floor, above our ceiling, or not a posit-number.
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2147483647")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=04096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999")]
    // Salt not strict base64.
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7s EsUEjb6gQ==,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=!!!!,i=4096")]
    // Mandatory extension, missing or misordered attributes, empty values, trailing comma.
    [InlineData("m=foo,r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==")]
    [InlineData("s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOabc,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,r=again")]
    [InlineData("")]
    public void Unsafe_or_malformed_server_first_is_rejected_by_the_client(string serverFirst)
    {
        var client = new ScramClient(RfcUser, RfcPassword, RfcClientNonce);

        Assert.Throws<ScramException>(() => client.ProcessServerFirst(serverFirst));
    }

    [Fact]
    public void Overlong_server_first_is_rejected_by_the_client()
    {
        var client = new ScramClient(RfcUser, RfcPassword, RfcClientNonce);
        var serverFirst = RfcServerFirst + ",x=" + new string('a', ScramServer.MaxMessageLength);

        Assert.Throws<ScramException>(() => client.ProcessServerFirst(serverFirst));
    }

    [Fact]
    public void Truncated_server_first_throws_only_ScramException()
    {
        for (var length = 0; length < RfcServerFirst.Length - "096".Length; length++)
        {
            var client = new ScramClient(RfcUser, RfcPassword, RfcClientNonce);
            var truncated = RfcServerFirst[..length];

            Assert.Throws<ScramException>(() => client.ProcessServerFirst(truncated));
        }
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("n,,", "not a list")]
    [InlineData("n=user,r=abc", "GS2")]
    [InlineData("p=tls-unique,,n=user,r=abc", "channel binding")]
    [InlineData("n,a=admin,n=user,r=abc", "authorisation identity")]
    [InlineData("n,,m=ext,n=user,r=abc", "'m='")]
    [InlineData("n,,n=user", "not 'n,,")]
    [InlineData("n,,r=abc,n=user", "not 'n,,")]
    [InlineData("n,,n=,r=abc", "not a list")]
    [InlineData("n,,n=user,r=", "not a list")]
    [InlineData("n,,n=user,r=abc,", "not a list")]
    [InlineData("n,,n=user,r=abc,r=def", "not 'n,,")]
    [InlineData("n,,n=us=er,r=abc", "saslname")]
    [InlineData("n,,n=user=2,r=abc", "saslname")]
    [InlineData("n,,n=user=2c,r=abc", "saslname")]
    [InlineData("n,,n=us\u0001er,r=abc", "saslname")]
    [InlineData("n,,n=user,r=ab\u00e9", "client nonce")]
    [InlineData("n,,n=user,r=a b", "client nonce")]
    public void Malformed_client_first_is_rejected_without_throwing(string clientFirst, string reason)
    {
        Assert.False(ScramServer.TryParseClientFirst(clientFirst, null, out _, out _, out var error, out _));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ScramServer(clientFirst, s_rfcCredentials, null));
    }

    [Fact]
    public void Overlong_client_first_is_rejected_without_throwing()
    {
        var clientFirst = "n,,n=user,r=" + new string('a', ScramServer.MaxMessageLength);

        Assert.False(ScramServer.TryParseClientFirst(clientFirst, null, out _, out _, out var error, out _));
        Assert.Contains("longer", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_client_nonce_is_rejected_without_throwing()
    {
        var clientFirst = "n,,n=user,r=" + new string('a', 300);

        Assert.False(ScramServer.TryParseClientFirst(clientFirst, null, out _, out _, out var error, out _));
        Assert.Contains("client nonce", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_first_with_an_unknown_extension_is_accepted()
    {
        Assert.True(ScramServer.TryParseClientFirst("n,,n=user,r=abc,x=ext", null, out var username, out var nonce, out _, out _));
        Assert.Equal("user", username);
        Assert.Equal("abc", nonce);
    }

    [Theory]
    [InlineData("")]
    [InlineData("c=biws")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=not base64")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,r=x,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")]
    public void Malformed_client_final_is_rejected_as_invalid_encoding(string clientFinal)
    {
        var server = new ScramServer(RfcClientFirst, s_rfcCredentials, null, RfcServerNonce);

        Assert.False(server.TryVerifyClientFinal(clientFinal, out var serverFinal));
        Assert.Equal("e=invalid-encoding", serverFinal);
    }

    [Theory]
    [InlineData("eSws", "e=channel-bindings-dont-match")]
    [InlineData("cD10bHMtdW5pcXVlLCw=", "e=channel-bindings-dont-match")]
    public void Client_final_with_other_channel_binding_is_rejected(string channelBinding, string expected)
    {
        var server = new ScramServer(RfcClientFirst, s_rfcCredentials, null, RfcServerNonce);
        var clientFinal = RfcClientFinal.Replace("c=biws", "c=" + channelBinding, StringComparison.Ordinal);

        Assert.False(server.TryVerifyClientFinal(clientFinal, out var serverFinal));
        Assert.Equal(expected, serverFinal);
    }

    [Fact]
    public void Client_final_with_a_different_nonce_is_rejected()
    {
        var server = new ScramServer(RfcClientFirst, s_rfcCredentials, null, RfcServerNonce);
        var clientFinal = RfcClientFinal.Replace("k0,p=", "k1,p=", StringComparison.Ordinal);

        Assert.False(server.TryVerifyClientFinal(clientFinal, out var serverFinal));
        Assert.Equal("e=other-error", serverFinal);
    }

    [Fact]
    public void Overlong_client_final_is_rejected_without_throwing()
    {
        var server = new ScramServer(RfcClientFirst, s_rfcCredentials, null, RfcServerNonce);
        var clientFinal = "c=biws,x=" + new string('a', ScramServer.MaxMessageLength) + ",p=AAAA";

        Assert.False(server.TryVerifyClientFinal(clientFinal, out var serverFinal));
        Assert.Equal("e=invalid-encoding", serverFinal);
    }

    [Fact]
    public void Every_truncation_and_single_character_change_of_client_messages_is_handled_without_throwing()
    {
        char[] replacements = [',', '=', 'x', 'A', '\0', '\u00e9', '\uD800', ' '];
        foreach (var variant in Variants(RfcClientFirst, replacements))
        {
            // Must not throw; the result may be true for harmless changes to the nonce.
            ScramServer.TryParseClientFirst(variant, null, out _, out _, out _, out _);
        }

        foreach (var variant in Variants(RfcClientFinal, replacements))
        {
            var server = new ScramServer(RfcClientFirst, s_rfcCredentials, null, RfcServerNonce);
            Assert.False(server.TryVerifyClientFinal(variant, out var serverFinal), variant);
            Assert.StartsWith("e=", serverFinal, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("a,b=c", "n,,n=a=2Cb=3Dc,r=nonce")]
    [InlineData("==,,", "n,,n==3D=3D=2C=2C,r=nonce")]
    [InlineData("123456", "n,,n=123456,r=nonce")]
    public void Username_escaping_round_trips(string username, string expectedClientFirst)
    {
        var client = new ScramClient(username, RfcPassword, "nonce");
        Assert.Equal(expectedClientFirst, client.ClientFirstMessage);

        Assert.True(ScramServer.TryParseClientFirst(client.ClientFirstMessage, null, out var parsed, out var nonce, out var error, out _), error);
        Assert.Equal(username, parsed);
        Assert.Equal("nonce", nonce);
        Assert.Equal(username, new ScramServer(client.ClientFirstMessage, s_rfcCredentials, null).Username);
    }

    [Fact]
    public void Escaped_username_completes_an_exchange()
    {
        Assert.True(RunExchange("a,b=c", RfcPassword, s_rfcCredentials));
    }

    [Fact]
    public void Non_ascii_password_derives_and_verifies()
    {
        const string password = "pässwörd密码";
        var credentials = ScramCredentials.Derive(password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);

        Assert.True(RunExchange("123456", password, credentials));
        Assert.False(RunExchange("123456", "passwörd密码", credentials));
    }

    [Fact]
    public void Password_is_the_UTF8_of_the_text_as_typed_without_NFKC()
    {
        // InvariantGlobalization makes string.Normalize a no-op, so OC does not claim to
        // normalise: precomposed and decomposed "ä" are different passwords. This pins the
        // documented behaviour of ScramPassword; if it changes, stored keys change with it.
        var salt = Convert.FromBase64String(RfcSalt);
        var precomposed = ScramCredentials.Derive("p\u00e4ss", salt, ScramCredentials.MinIterations);
        var decomposed = ScramCredentials.Derive("pa\u0308ss", salt, ScramCredentials.MinIterations);

        Assert.NotEqual(precomposed.StoredKey, decomposed.StoredKey);
        Assert.Equal("pa\u0308ss", "pa\u0308ss".Normalize(NormalizationForm.FormKC));
    }

    [Fact]
    public void Password_preparation_maps_spaces_and_drops_invisible_characters()
    {
        var salt = Convert.FromBase64String(RfcSalt);
        var plain = ScramCredentials.Derive("my pass", salt, ScramCredentials.MinIterations);
        var noBreakSpace = ScramCredentials.Derive("my\u00a0pa\u00adss\u200b", salt, ScramCredentials.MinIterations);

        Assert.Equal(plain.StoredKey, noBreakSpace.StoredKey);
        Assert.Equal(plain.ServerKey, noBreakSpace.ServerKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\u00ad\u200b")]
    [InlineData("pass\nword")]
    [InlineData("pass\u0000")]
    [InlineData("pass\u007f")]
    [InlineData("pass\u0085")]
    public void Unusable_passwords_are_refused(string password)
    {
        Assert.Throws<ArgumentException>(() => ScramCredentials.Derive(password, Convert.FromBase64String(RfcSalt), ScramCredentials.MinIterations));
        Assert.Throws<ArgumentException>(() => new ScramClient(RfcUser, password));
    }

    [Fact]
    public void Passwords_with_unpaired_surrogates_are_refused()
    {
        // Built at run time: attribute arguments are stored as UTF-8 and would turn a lone
        // surrogate into U+FFFD before the test saw it.
        foreach (var password in new[] { "pass" + '\uD800', '\uDC00' + "pass", "pa" + '\uDC00' + '\uD800' + "ss" })
        {
            Assert.Throws<ArgumentException>(() => ScramCredentials.Derive(password, Convert.FromBase64String(RfcSalt), ScramCredentials.MinIterations));
        }

        Assert.True(RunExchange("123456", "emoji\U0001F600", ScramCredentials.Derive("emoji\U0001F600", ScramCredentials.NewSalt(), ScramCredentials.MinIterations)));
    }

    [Fact]
    public void Derive_refuses_weak_or_absurd_parameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScramCredentials.Derive(RfcPassword, ScramCredentials.NewSalt(), 4095));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScramCredentials.Derive(RfcPassword, ScramCredentials.NewSalt(), ScramCredentials.MaxIterations + 1));
        Assert.Throws<ArgumentException>(() => ScramCredentials.Derive(RfcPassword, [], ScramCredentials.MinIterations));
    }

    [Fact]
    public void Create_uses_a_fresh_salt_and_default_iterations()
    {
        var first = ScramCredentials.Create(RfcPassword);
        var second = ScramCredentials.Create(RfcPassword);

        Assert.Equal(ScramCredentials.DefaultIterations, first.Iterations);
        Assert.Equal(ScramCredentials.SaltLength, first.Salt.Length);
        Assert.NotEqual(first.Salt, second.Salt);
        Assert.NotEqual(first.StoredKey, second.StoredKey);
    }

    [Fact]
    public void TryCreate_accepts_registration_values_and_refuses_bad_ones()
    {
        var salt = ScramCredentials.NewSalt();
        var key = new byte[ScramCredentials.KeyLength];

        Assert.True(ScramCredentials.TryCreate(salt, 4096, key, key, out var credentials));
        Assert.Equal(salt, credentials.Salt);
        Assert.NotSame(salt, credentials.Salt);

        Assert.False(ScramCredentials.TryCreate(null, 4096, key, key, out _));
        Assert.False(ScramCredentials.TryCreate([], 4096, key, key, out _));
        Assert.False(ScramCredentials.TryCreate(new byte[ScramCredentials.MaxSaltLength + 1], 4096, key, key, out _));
        Assert.False(ScramCredentials.TryCreate(salt, 4095, key, key, out _));
        Assert.False(ScramCredentials.TryCreate(salt, 4096, new byte[31], key, out _));
        Assert.False(ScramCredentials.TryCreate(salt, 4096, key, null, out _));
        Assert.Throws<ArgumentException>(() => new ScramCredentials(salt, 1, key, key));
    }

    [Fact]
    public void Random_nonces_complete_an_exchange()
    {
        var client = new ScramClient(RfcUser, RfcPassword);
        Assert.True(ScramServer.TryParseClientFirst(client.ClientFirstMessage, null, out _, out var clientNonce, out _, out _));
        var server = new ScramServer(client.ClientFirstMessage, s_rfcCredentials, null);

        Assert.StartsWith("r=" + clientNonce, server.ServerFirstMessage, StringComparison.Ordinal);
        Assert.True(server.ServerFirstMessage.Length > "r=".Length + clientNonce.Length + 18);
        Assert.True(server.TryVerifyClientFinal(client.ProcessServerFirst(server.ServerFirstMessage), out var serverFinal));
        Assert.True(client.VerifyServerFinal(serverFinal));
    }

    [Fact]
    public void Client_methods_must_be_called_in_order_once()
    {
        var client = new ScramClient(RfcUser, RfcPassword, RfcClientNonce);
        Assert.Throws<InvalidOperationException>(() => client.VerifyServerFinal(RfcServerFinal));

        client.ProcessServerFirst(RfcServerFirst);
        Assert.Throws<InvalidOperationException>(() => client.ProcessServerFirst(RfcServerFirst));

        Assert.True(client.VerifyServerFinal(RfcServerFinal));
        Assert.Throws<InvalidOperationException>(() => client.VerifyServerFinal(RfcServerFinal));
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("")]
    [InlineData("caf\u00e9")]
    public void Invalid_injected_nonces_are_refused(string nonce)
    {
        Assert.ThrowsAny<ArgumentException>(() => new ScramClient(RfcUser, RfcPassword, nonce));
        Assert.ThrowsAny<ArgumentException>(() => new ScramServer(RfcClientFirst, s_rfcCredentials, null, nonce));
    }

    private static ScramClient RfcClientAfterServerFirst()
    {
        var client = new ScramClient(RfcUser, RfcPassword, RfcClientNonce);
        client.ProcessServerFirst(RfcServerFirst);
        return client;
    }

    private static bool RunExchange(string username, string password, ScramCredentials credentials)
    {
        var client = new ScramClient(username, password);
        var server = new ScramServer(client.ClientFirstMessage, credentials, null);
        var clientFinal = client.ProcessServerFirst(server.ServerFirstMessage);
        return server.TryVerifyClientFinal(clientFinal, out var serverFinal) && client.VerifyServerFinal(serverFinal);
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

using System.Security.Cryptography;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;
using OC.Tests.Support.Net;

namespace OC.Tests.Integration;

/// <summary>
/// The channel-bound login (SCRAM-SHA-256-PLUS with tls-server-end-point, docs/protocol.md "Login")
/// through the real appliance's TLS: a login over the appliance's own certificate works; one relayed
/// by a man in the middle with a certificate of its own (that the client was made to trust) fails as
/// a failed login; a login without the binding over TLS is a downgrade and refused; on a plaintext
/// appliance (--insecure-plaintext) only the plain mechanism works.
/// </summary>
public sealed class ChannelBindingLoginTests
{
    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task A_login_over_TLS_is_bound_to_the_appliances_certificate_and_succeeds(string engine)
    {
        using var appliance = new TestAppliance(tlsEngine: engine);
        await using var connection = await appliance.ConnectAsync();
        Assert.Equal(appliance.Fingerprint, connection.Certificate!.Fingerprint);
        Assert.Equal(SHA256.HashData(connection.Certificate.Der), connection.ChannelBinding);
        uint number = await TestUsers.RegisterAsync(connection, "alice", "pw");

        var loggedIn = await OcAccounts.LoginAsync(connection, number, "pw");

        Assert.Equal(number, loggedIn.OcNumber);
        Assert.Equal(number, (await OcAccounts.WhoAmIAsync(connection)).OcNumber);
    }

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task A_login_relayed_through_another_certificate_fails_with_a_warning_and_is_throttled_as_a_failed_login(string engine)
    {
        using var appliance = new TestAppliance(tlsEngine: engine);
        await using var relay = new TlsRelay(appliance.Port);
        uint number;
        await using (var direct = await appliance.ConnectAsync()) number = await TestUsers.RegisterAsync(direct, "bob", "pw");

        // A client fooled into trusting the relay's certificate.
        await using var connection = await OcConnection.ConnectAsync("127.0.0.1", relay.Port, "tests", OcTransport.Pinned(relay.Fingerprint));
        Assert.Equal(relay.Fingerprint, connection.Certificate!.Fingerprint);

        var relayed = await Assert.ThrowsAsync<ScramException>(() => OcAccounts.LoginAsync(connection, number, "pw"));
        Assert.Contains("relayed through another certificate", relayed.Message, StringComparison.Ordinal);
        Assert.Contains("man in the middle", relayed.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.ChannelBindingMismatch, Assert.IsType<OcErrorException>(relayed.InnerException).Code);

        // Right password, wrong channel: each is a failed login, and the account's throttle locks.
        OcErrorException? throttled = null;
        for (int i = 0; i < LoginThrottleFreeFailures + 2 && throttled is null; i++)
        {
            try
            {
                await OcAccounts.LoginAsync(connection, number, "pw");
                Assert.Fail("a relayed login succeeded");
            }
            catch (OcErrorException e)
            {
                Assert.Equal(ErrorCode.Throttled, e.Code);
                throttled = e;
            }
            catch (ScramException e)
            {
                Assert.Equal(ErrorCode.ChannelBindingMismatch, Assert.IsType<OcErrorException>(e.InnerException).Code);
            }
        }
        Assert.NotNull(throttled);
        Assert.True(throttled.RetryAfterSeconds >= 1);
    }

    [Theory]
    [InlineData("n,,")]
    [InlineData("y,,")]
    public async Task Over_TLS_a_login_without_the_binding_is_refused_as_a_downgrade(string gs2Header)
    {
        using var appliance = new TestAppliance();
        await using var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, "carol", "pw");

        var refused = await Assert.ThrowsAsync<OcErrorException>(() => connection.RequestAsync((b, id) =>
            ScramStep.Write(b, FrameType.LoginStart, id, gs2Header + "n=" + number.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + ",r=abcdef")));
        Assert.Equal(ErrorCode.ChannelBindingMismatch, refused.Code);
        Assert.Contains("SCRAM-SHA-256-PLUS", refused.Message, StringComparison.Ordinal);

        // A client that forgot the binding on a TLS connection: told something relays it.
        var binding = connection.ChannelBinding;
        connection.ChannelBinding = null;
        var e = await Assert.ThrowsAsync<ScramException>(() => OcAccounts.LoginAsync(connection, number, "pw"));
        Assert.Contains("man in the middle", e.Message, StringComparison.Ordinal);

        // The connection is still good for a login that is bound.
        connection.ChannelBinding = binding;
        Assert.Equal(number, (await OcAccounts.LoginAsync(connection, number, "pw")).OcNumber);
    }

    [Fact]
    public async Task On_a_plaintext_appliance_a_channel_bound_login_is_refused_and_a_plain_one_works()
    {
        using var appliance = new TestAppliance(configure: o => o with { InsecurePlaintext = true });
        Assert.Null(appliance.Fingerprint);
        await using var connection = await appliance.ConnectAsync();
        Assert.Null(connection.ChannelBinding);
        uint number = await TestUsers.RegisterAsync(connection, "dave", "pw");

        // The client believes it talks TLS, the appliance sees plaintext: something relays it.
        connection.ChannelBinding = SHA256.HashData("a relay's certificate"u8);
        var e = await Assert.ThrowsAsync<ScramException>(() => OcAccounts.LoginAsync(connection, number, "pw"));
        Assert.Contains("relayed through another certificate", e.Message, StringComparison.Ordinal);
        var refused = Assert.IsType<OcErrorException>(e.InnerException);
        Assert.Equal(ErrorCode.ChannelBindingMismatch, refused.Code);
        Assert.Contains("not TLS", refused.Message, StringComparison.Ordinal);

        connection.ChannelBinding = null;
        Assert.Equal(number, (await OcAccounts.LoginAsync(connection, number, "pw")).OcNumber);
    }

    private const int LoginThrottleFreeFailures = OC.Appliance.Accounts.LoginThrottle.FreeAccountFailures;
}

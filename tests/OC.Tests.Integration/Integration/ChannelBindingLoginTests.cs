using System.Security.Cryptography;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Tests.Integration;

/// <summary>
/// The channel-bound login (SCRAM-SHA-256-PLUS, docs/protocol.md "Login") through the real appliance
/// and <see cref="OcAccounts.LoginAsync(OcConnection, uint, string, CancellationToken)"/>. There is no
/// TLS on the port yet: both ends' channel-binding data are set by hand where the TLS handshake will
/// set them (the appliance's Connection.ChannelBinding on its loop, OcConnection.ChannelBinding), so
/// what is tested is the login on top of them: equal data logs in, different data (a relay with its
/// own certificate) and a missing binding fail, as failed logins.
/// </summary>
public sealed class ChannelBindingLoginTests
{
    // The tls-server-end-point data of the appliance's certificate and of a relay's.
    private static readonly byte[] s_appliance = SHA256.HashData("the appliance's certificate"u8);
    private static readonly byte[] s_relay = SHA256.HashData("a relay's certificate"u8);

    [Fact]
    public async Task A_login_bound_to_the_appliances_certificate_succeeds()
    {
        using var appliance = new TestAppliance();
        await using var connection = await ConnectAsync(appliance, applianceSees: s_appliance, clientSees: s_appliance);
        uint number = await TestUsers.RegisterAsync(connection, "alice", "pw");

        var loggedIn = await OcAccounts.LoginAsync(connection, number, "pw");

        Assert.Equal(number, loggedIn.OcNumber);
        Assert.Equal(number, (await OcAccounts.WhoAmIAsync(connection)).OcNumber);
    }

    [Fact]
    public async Task A_login_relayed_through_another_certificate_fails_with_a_warning_and_is_throttled_as_a_failed_login()
    {
        using var appliance = new TestAppliance();
        await using var connection = await ConnectAsync(appliance, applianceSees: s_appliance, clientSees: s_relay);
        uint number = await TestUsers.RegisterAsync(connection, "bob", "pw");

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
        await using var connection = await ConnectAsync(appliance, applianceSees: s_appliance, clientSees: null);
        uint number = await TestUsers.RegisterAsync(connection, "carol", "pw");

        var refused = await Assert.ThrowsAsync<OcErrorException>(() => connection.RequestAsync((b, id) =>
            ScramStep.Write(b, FrameType.LoginStart, id, gs2Header + "n=" + number.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + ",r=abcdef")));
        Assert.Equal(ErrorCode.ChannelBindingMismatch, refused.Code);
        Assert.Contains("SCRAM-SHA-256-PLUS", refused.Message, StringComparison.Ordinal);

        // oc without the binding on a connection the appliance sees over TLS: something relays it.
        var e = await Assert.ThrowsAsync<ScramException>(() => OcAccounts.LoginAsync(connection, number, "pw"));
        Assert.Contains("man in the middle", e.Message, StringComparison.Ordinal);

        // The connection is still good for a login that is bound.
        connection.ChannelBinding = s_appliance;
        Assert.Equal(number, (await OcAccounts.LoginAsync(connection, number, "pw")).OcNumber);
    }

    [Fact]
    public async Task On_plaintext_a_channel_bound_login_is_refused_and_a_plain_one_works()
    {
        using var appliance = new TestAppliance();
        await using var connection = await ConnectAsync(appliance, applianceSees: null, clientSees: s_relay);
        uint number = await TestUsers.RegisterAsync(connection, "dave", "pw");

        // The client believes it talks TLS to the appliance, the appliance sees plaintext: a relay.
        var e = await Assert.ThrowsAsync<ScramException>(() => OcAccounts.LoginAsync(connection, number, "pw"));
        Assert.Contains("relayed through another certificate", e.Message, StringComparison.Ordinal);
        var refused = Assert.IsType<OcErrorException>(e.InnerException);
        Assert.Equal(ErrorCode.ChannelBindingMismatch, refused.Code);
        Assert.Contains("not TLS", refused.Message, StringComparison.Ordinal);

        connection.ChannelBinding = null;
        Assert.Equal(number, (await OcAccounts.LoginAsync(connection, number, "pw")).OcNumber);
    }

    private const int LoginThrottleFreeFailures = OC.Appliance.Accounts.LoginThrottle.FreeAccountFailures;

    // The appliance's only connection, with each end's channel binding set as TLS would set it
    // (before any login; REGISTER does not care).
    private static async Task<OcConnection> ConnectAsync(TestAppliance appliance, byte[]? applianceSees, byte[]? clientSees)
    {
        var connection = await appliance.ConnectAsync();
        await appliance.Server.OnLoopAsync(connections =>
        {
            Assert.Single(connections);
            connections[0].ChannelBinding = applianceSees;
        });
        connection.ChannelBinding = clientSees;
        return connection;
    }
}

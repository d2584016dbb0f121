using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Client;
using OC.Protocol.Security;

namespace OC.Tests.Integration;

/// <summary>Protocol steps written out with the raw messages, so these tests do not depend on the CLI's helpers.</summary>
internal static class TestUsers
{
    // The RFC minimum keeps registrations fast in tests; the CLI uses 100,000.
    public const int Iterations = ScramCredentials.MinIterations;

    public static async Task<uint> RegisterAsync(OcConnection connection, string nick, string password, string email = "")
    {
        var credentials = ScramCredentials.Derive(password, ScramCredentials.NewSalt(), Iterations);
        var reply = await connection.RequestAsync((b, id) => Register.Write(b, id,
            new Register(nick, email, credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey)));
        Assert.Equal(FrameType.Registered, reply.Type);
        Assert.True(Registered.TryRead(reply.Payload, out var registered));
        return registered.OcNumber;
    }

    public static async Task<LoggedIn> LoginAsync(OcConnection connection, uint number, string password)
    {
        // Bound to the connection's certificate over TLS (SCRAM-SHA-256-PLUS), as OcAccounts.LoginAsync does.
        var scram = new ScramClient(number.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), password, channelBinding: connection.ChannelBinding);
        var challenge = await connection.RequestAsync((b, id) => ScramStep.Write(b, FrameType.LoginStart, id, scram.ClientFirstMessage));
        Assert.Equal(FrameType.LoginChallenge, challenge.Type);
        Assert.True(ScramStep.TryRead(challenge.Payload, out var serverFirst));
        var clientFinal = scram.ProcessServerFirst(serverFirst);
        var reply = await connection.RequestAsync((b, id) => ScramStep.Write(b, FrameType.LoginFinish, id, clientFinal));
        Assert.Equal(FrameType.LoggedIn, reply.Type);
        Assert.True(LoggedIn.TryRead(reply.Payload, out var loggedIn));
        Assert.True(scram.VerifyServerFinal(loggedIn.ServerFinal), "the appliance's server signature did not verify");
        return loggedIn;
    }

    public static async Task<UserInfo> WhoAmIAsync(OcConnection connection)
    {
        var reply = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.WhoAmI, id));
        Assert.Equal(FrameType.UserInfo, reply.Type);
        Assert.True(UserInfo.TryRead(reply.Payload, out var info));
        return info;
    }
}

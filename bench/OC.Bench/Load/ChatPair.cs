using System.Globalization;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// Two users who are friends, each logged in on a connection of their own: the sender sends, the
/// receiver is live (it sent one SYNC) and gets every message as a MESSAGE event. Set up over the
/// real protocol, as a client would: REGISTER, the SCRAM login, FRIEND_ADD, SYNC.
/// </summary>
internal sealed class ChatPair : IDisposable
{
    public const string Password = "bench-password";

    private ChatPair(LoadConnection sender, uint senderNumber, LoadConnection receiver, uint receiverNumber)
    {
        Sender = sender;
        SenderNumber = senderNumber;
        Receiver = receiver;
        ReceiverNumber = receiverNumber;
    }

    public LoadConnection Sender { get; }
    public uint SenderNumber { get; }
    public LoadConnection Receiver { get; }
    public uint ReceiverNumber { get; }

    /// <summary>
    /// Registers both users (with <paramref name="register"/>: every bench user has the same keys,
    /// derived once), logs both in, makes them friends and makes the receiver live (with
    /// <paramref name="bothLive"/> the sender too, for chat both ways).
    /// </summary>
    public static async Task<ChatPair> CreateAsync(Target target, Register register, CancellationToken cancellationToken, bool bothLive = false)
    {
        LoadConnection? sender = null, receiver = null;
        try
        {
            sender = await LoadConnection.ConnectAndHelloAsync(target, cancellationToken).ConfigureAwait(false);
            receiver = await LoadConnection.ConnectAndHelloAsync(target, cancellationToken).ConfigureAwait(false);
            uint a = await RegisterAsync(sender, register, cancellationToken).ConfigureAwait(false);
            uint b = await RegisterAsync(receiver, register, cancellationToken).ConfigureAwait(false);
            await LoginAsync(sender, a, cancellationToken).ConfigureAwait(false);
            await LoginAsync(receiver, b, cancellationToken).ConfigureAwait(false);

            // The sender asks, the receiver accepts (docs/protocol.md, "Friends and presence"); on an
            // appliance with --friends open the request alone makes them friends (its card says so).
            var added = await sender.RequestAsync((buffer, id) => UserNumber.Write(buffer, FrameType.FriendAdd, id, b), 5, cancellationToken).ConfigureAwait(false);
            Expect(added, FrameType.UserCard, "FRIEND_ADD");
            if (!UserCard.TryRead(added.Payload, out var card)) throw new InvalidOperationException("malformed USER_CARD");
            if (!card.Friend)
            {
                var accepted = await receiver.RequestAsync((buffer, id) => FriendRespond.Write(buffer, id, new FriendRespond(a, Accept: true)), 5, cancellationToken).ConfigureAwait(false);
                Expect(accepted, FrameType.UserCard, "FRIEND_RESPOND");
            }

            // One SYNC from seq 0: nothing is stored for this user yet, so SYNCED says more = 0 and
            // the session is live from then on.
            await GoLiveAsync(receiver, cancellationToken).ConfigureAwait(false);
            if (bothLive) await GoLiveAsync(sender, cancellationToken).ConfigureAwait(false);

            return new ChatPair(sender, a, receiver, b);
        }
        catch
        {
            sender?.Dispose();
            receiver?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Sender.Dispose();
        Receiver.Dispose();
    }

    /// <summary>One SYNC from seq 0, for a user with nothing stored: the session is live from then on.</summary>
    public static async Task GoLiveAsync(LoadConnection connection, CancellationToken cancellationToken)
    {
        var synced = await connection.RequestAsync((buffer, id) => SeqNumber.Write(buffer, FrameType.Sync, id, 0), 5, cancellationToken).ConfigureAwait(false);
        Expect(synced, FrameType.Synced, "SYNC");
        if (!Synced.TryRead(synced.Payload, out var s) || s.More) throw new InvalidOperationException("SYNC did not end the page (more = 1)");
    }

    public static async Task<uint> RegisterAsync(LoadConnection connection, Register register, CancellationToken cancellationToken)
    {
        var reply = await connection.RequestAsync((buffer, id) => Register.Write(buffer, id, register), 2, cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.Registered, "REGISTER");
        return Registered.TryRead(reply.Payload, out var registered) ? registered.OcNumber : throw new InvalidOperationException("malformed REGISTERED");
    }

    /// <summary>
    /// The full SCRAM exchange (the client's PBKDF2 at the account's 4,096 rounds: a few ms each);
    /// over TLS SCRAM-SHA-256-PLUS, bound to the certificate the connection's handshake saw (the
    /// appliance accepts no other login there).
    /// </summary>
    /// <returns>The session token (for RESUME).</returns>
    public static async Task<byte[]> LoginAsync(LoadConnection connection, uint number, CancellationToken cancellationToken)
    {
        var scram = new ScramClient(number.ToString("D6", CultureInfo.InvariantCulture), Password, channelBinding: connection.ChannelBinding);
        var challenge = await connection.RequestAsync((buffer, id) => ScramStep.Write(buffer, FrameType.LoginStart, id, scram.ClientFirstMessage), 3, cancellationToken).ConfigureAwait(false);
        Expect(challenge, FrameType.LoginChallenge, "LOGIN_START");
        if (!ScramStep.TryRead(challenge.Payload, out var serverFirst)) throw new InvalidOperationException("malformed LOGIN_CHALLENGE");
        string clientFinal = scram.ProcessServerFirst(serverFirst);
        var reply = await connection.RequestAsync((buffer, id) => ScramStep.Write(buffer, FrameType.LoginFinish, id, clientFinal), 4, cancellationToken).ConfigureAwait(false);
        Expect(reply, FrameType.LoggedIn, "LOGIN_FINISH");
        return LoggedIn.TryRead(reply.Payload, out var loggedIn) ? loggedIn.SessionToken : throw new InvalidOperationException("malformed LOGGED_IN");
    }

    public static void Expect((FrameHeader Header, byte[] Payload) reply, FrameType expected, string request)
    {
        if (reply.Header.Type == expected) return;
        ErrorReply.TryRead(reply.Payload, out var error);
        throw new InvalidOperationException($"{request} was answered with {reply.Header.Type} {error.Code}: {error.Message}");
    }
}

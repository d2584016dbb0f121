using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Integration;

/// <summary>Users and sessions for message tests, with the raw frames spelled out.</summary>
internal static class ChatPeers
{
    /// <summary>For a hang only: events come in milliseconds, and no test measures how many.</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    public static async Task<(uint Number, OcConnection Connection)> NewUserAsync(TestAppliance appliance, string nick)
    {
        var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, nick, "pw");
        await TestUsers.LoginAsync(connection, number, "pw");
        return (number, connection);
    }

    public static async Task<OcConnection> SessionAsync(TestAppliance appliance, uint number)
    {
        var connection = await appliance.ConnectAsync();
        await TestUsers.LoginAsync(connection, number, "pw");
        return connection;
    }

    /// <summary>
    /// Makes two logged-in users friends the way users do by default: <paramref name="a"/> asks
    /// (FRIEND_ADD), <paramref name="bConnection"/>, a session of <paramref name="b"/>, accepts
    /// (FRIEND_RESPOND). On an appliance with --friends open the request alone does it.
    /// </summary>
    public static async Task BefriendAsync(OcConnection a, uint b, OcConnection bConnection)
    {
        var asked = await a.RequestAsync((buf, id) => UserNumber.Write(buf, FrameType.FriendAdd, id, b));
        Assert.Equal(FrameType.UserCard, asked.Type);
        Assert.True(UserCard.TryRead(asked.Payload, out var card));
        if (card.Friend) return;
        uint aNumber = (await TestUsers.WhoAmIAsync(a)).OcNumber;
        var accepted = await bConnection.RequestAsync((buf, id) => FriendRespond.Write(buf, id, new FriendRespond(aNumber, Accept: true)));
        Assert.Equal(FrameType.UserCard, accepted.Type);
    }

    public static async Task<Sent> SendAsync(OcConnection from, uint to, string text, byte[]? messageId = null)
    {
        var id = messageId ?? Guid.NewGuid().ToByteArray();
        var reply = await from.RequestAsync((b, rid) => SendMessage.Write(b, rid, new SendMessage(to, id, text)));
        Assert.Equal(FrameType.Sent, reply.Type);
        Assert.True(Sent.TryRead(reply.Payload, out var sent));
        return sent;
    }

    /// <summary>
    /// One SYNC from the newest seq there is, so that it ends with more = 0: the session is live and
    /// its user online to friends, as with `oc listen` or `oc chat` (a session that never SYNCs, a
    /// one-shot command, is not). Events already queued stay queued.
    /// </summary>
    public static async Task GoLiveAsync(OcConnection connection)
    {
        var reply = await connection.RequestAsync((b, id) => SeqNumber.Write(b, FrameType.Sync, id, ulong.MaxValue));
        Assert.Equal(FrameType.Synced, reply.Type);
        Assert.True(Synced.TryRead(reply.Payload, out var synced));
        Assert.False(synced.More);
    }

    /// <summary>SYNC until more = 0; returns the MESSAGE events it brought, in order.</summary>
    public static async Task<List<ChatMessage>> SyncAsync(OcConnection connection, ulong afterSeq)
    {
        var messages = new List<ChatMessage>();
        while (true)
        {
            var reply = await connection.RequestAsync((b, id) => SeqNumber.Write(b, FrameType.Sync, id, afterSeq));
            Assert.Equal(FrameType.Synced, reply.Type);
            Assert.True(Synced.TryRead(reply.Payload, out var synced));
            // The events were written before the reply on the same connection, so they are queued already.
            while (connection.Events.TryRead(out var frame))
            {
                if (frame.Type != FrameType.Message) continue;
                Assert.True(ChatMessage.TryRead(frame.Payload, out var message));
                messages.Add(message);
            }
            afterSeq = synced.LastSeq;
            if (!synced.More) return messages;
        }
    }

    public static async Task<ReceivedFrame> NextAsync(OcConnection connection, FrameType type)
    {
        using var timeout = new CancellationTokenSource(EventTimeout);
        while (true)
        {
            var frame = await connection.Events.ReadAsync(timeout.Token);
            if (frame.Type == type) return frame;
        }
    }

    public static async Task<ChatMessage> NextMessageAsync(OcConnection connection)
    {
        var frame = await NextAsync(connection, FrameType.Message);
        Assert.True(ChatMessage.TryRead(frame.Payload, out var message));
        return message;
    }

    public static async Task<(bool More, List<ChatMessage> Messages)> HistoryAsync(OcConnection connection, uint peer, ulong before = 0, ushort limit = 100)
    {
        var reply = await connection.RequestAsync((b, id) => HistoryRequest.Write(b, id, new HistoryRequest(peer, before, limit)));
        Assert.Equal(FrameType.HistoryPage, reply.Type);
        Assert.True(HistoryPage.TryRead(reply.Payload, out bool more, out var messages));
        return (more, messages);
    }
}

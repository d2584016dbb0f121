using System.Security.Cryptography;
using System.Text;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// The message requests of docs/protocol.md (SEND, HISTORY, SYNC), one call each. Errors as in
/// <see cref="OcAccounts"/>. MESSAGE events arrive on <see cref="OcConnection.Events"/>; read them
/// with an <see cref="OcMessageStream"/>, which also runs SYNC.
/// </summary>
public static class OcMessages
{
    /// <summary>A fresh random message id (16 bytes), the client's half of "stored once".</summary>
    public static byte[] NewMessageId() => RandomNumberGenerator.GetBytes(ProtocolLimits.MessageIdBytes);

    /// <summary>
    /// Sends a message to a friend and returns its seq once it is on the appliance's disk. Keep
    /// <paramref name="messageId"/> (a random one is made when null) to send again after a broken
    /// connection: the appliance then answers with the same SENT and stores nothing twice.
    /// ERROR NotFriends when <paramref name="to"/> is not a friend.
    /// </summary>
    public static async Task<Sent> SendAsync(
        OcConnection connection,
        uint to,
        string text,
        byte[]? messageId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        CheckText(text);
        messageId ??= NewMessageId();
        if (messageId.Length != ProtocolLimits.MessageIdBytes)
        {
            throw new ArgumentException($"a message id is {ProtocolLimits.MessageIdBytes} bytes", nameof(messageId));
        }

        var send = new SendMessage(to, messageId, text);
        var reply = await connection.RequestAsync((b, id) => SendMessage.Write(b, id, send), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Sent, "SEND");
        if (!Sent.TryRead(reply.Payload, out var sent)) throw OcAccounts.Malformed(reply);
        return sent;
    }

    /// <summary>
    /// One page of the conversation with <paramref name="peer"/>: messages with seq below
    /// <paramref name="beforeSeq"/> (0 = up to the newest), oldest first; <c>More</c> says older
    /// ones exist (ask again with the first seq of this page).
    /// </summary>
    public static async Task<(bool More, List<ChatMessage> Messages)> HistoryAsync(
        OcConnection connection,
        uint peer,
        ulong beforeSeq,
        int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ProtocolLimits.MaxHistoryPage);

        var request = new HistoryRequest(peer, beforeSeq, (ushort)limit);
        var reply = await connection.RequestAsync((b, id) => HistoryRequest.Write(b, id, request), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.HistoryPage, "HISTORY");
        if (!HistoryPage.TryRead(reply.Payload, out bool more, out var messages)) throw OcAccounts.Malformed(reply);
        return (more, messages);
    }

    /// <summary>
    /// Every message of yours with seq above <paramref name="afterSeq"/>, in seq order, page by page
    /// until the session is live. This reads <see cref="OcConnection.Events"/> itself and drops the
    /// other events it meets on the way (presence and the like): a client that wants those too uses
    /// <see cref="OcMessageStream.SyncAsync"/>, which keeps them.
    /// </summary>
    public static async Task<List<ChatMessage>> SyncAsync(OcConnection connection, ulong afterSeq, CancellationToken cancellationToken = default)
    {
        var stream = new OcMessageStream(connection, afterSeq);
        var events = await stream.SyncAsync(cancellationToken).ConfigureAwait(false);
        return [.. events.OfType<MessageEvent>().Select(m => m.Message)];
    }

    /// <summary>
    /// One SYNC: the appliance pushes the page's MESSAGE events, then answers SYNCED. The events
    /// are on <see cref="OcConnection.Events"/> by the time this returns (the receive loop queues
    /// them before it completes the reply). With <paramref name="peek"/> the session does not go
    /// live when the page is the last: no messages are pushed to it afterwards and it does not make
    /// the user online to friends (what a one-shot command wants).
    /// </summary>
    public static async Task<Synced> SyncPageAsync(OcConnection connection, ulong afterSeq, CancellationToken cancellationToken = default, bool peek = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var request = new SyncRequest(afterSeq, peek);
        var reply = await connection.RequestAsync((b, id) => SyncRequest.Write(b, id, request), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Synced, "SYNC");
        if (!Synced.TryRead(reply.Payload, out var synced)) throw OcAccounts.Malformed(reply);
        if (synced.More && synced.LastSeq <= afterSeq)
        {
            throw new OcConnectionException($"the appliance answered SYNC {afterSeq} with a full page that ends at {synced.LastSeq}");
        }

        return synced;
    }

    /// <summary>
    /// The rules of SEND for text (1..4096 bytes of UTF-8, not only whitespace: <see cref="TextRules.IsBlank"/>),
    /// checked before anything is sent.
    /// </summary>
    public static void CheckText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TextRules.IsBlank(text)) throw new ArgumentException(TextRules.EmptyMessage, nameof(text));
        int bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > ProtocolLimits.MaxMessageTextBytes)
        {
            throw new ArgumentException($"the message is {bytes} bytes of UTF-8; the most is {ProtocolLimits.MaxMessageTextBytes}", nameof(text));
        }
    }
}

using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// The room message requests of docs/protocol.md, "Room messages" (ROOM_SEND, ROOM_HISTORY), one
/// call each. Entries of the rooms' streams arrive as <see cref="RoomMessageEvent"/> on an
/// <see cref="OcMessageStream"/>, in the same SYNC and with the same cursor as 1:1 messages.
/// </summary>
public static class OcRoomMessages
{
    /// <summary>
    /// ROOM_SEND: a message to a room of yours; returns its seq once it is on the appliance's disk.
    /// Keep <paramref name="messageId"/> to send again after a broken connection (same SENT, stored once).
    /// ERROR NotRoomMember when you are not a member.
    /// </summary>
    public static async Task<Sent> SendAsync(OcConnection connection, uint roomId, string text, byte[]? messageId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        OcMessages.CheckText(text);
        messageId ??= OcMessages.NewMessageId();
        if (messageId.Length != ProtocolLimits.MessageIdBytes)
        {
            throw new ArgumentException($"a message id is {ProtocolLimits.MessageIdBytes} bytes", nameof(messageId));
        }

        var send = new RoomSend(roomId, messageId, text);
        var reply = await connection.RequestAsync((b, id) => RoomSend.Write(b, id, send), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.Sent, "ROOM_SEND");
        if (!Sent.TryRead(reply.Payload, out var sent)) throw OcAccounts.Malformed(reply);
        return sent;
    }

    /// <summary>
    /// ROOM_HISTORY: one page of the room's stream within your span, entries with seq below
    /// <paramref name="beforeSeq"/> (0 = up to the newest), oldest first; <c>More</c> says older ones exist.
    /// </summary>
    public static async Task<(bool More, List<RoomMessage> Messages)> HistoryAsync(OcConnection connection, uint roomId, ulong beforeSeq, int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ProtocolLimits.MaxHistoryPage);

        var request = new RoomHistoryRequest(roomId, beforeSeq, (ushort)limit);
        var reply = await connection.RequestAsync((b, id) => RoomHistoryRequest.Write(b, id, request), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.RoomHistoryPage, "ROOM_HISTORY");
        if (!RoomHistoryPage.TryRead(reply.Payload, out _, out bool more, out var messages)) throw OcAccounts.Malformed(reply);
        return (more, messages);
    }
}

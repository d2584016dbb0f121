using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

// What the full-screen client (oc ui) asks over the current connection besides the live events:
// a conversation's older messages (1:1 and rooms), its files, the appliance's name, room invitations.
internal sealed partial class LiveSession
{
    /// <summary>The appliance's name from WELCOME; null while there is no connection.</summary>
    public string? ApplianceName => CurrentLink?.Connection.Welcome.ApplianceName;

    /// <summary>HISTORY over the current connection (a page of the conversation with <paramref name="peer"/> before <paramref name="beforeSeq"/>, 0 = the newest).</summary>
    public Task<(bool More, List<ChatMessage> Messages)> HistoryAsync(uint peer, ulong beforeSeq, int limit, CancellationToken cancellationToken) =>
        (CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back"))
            .CallAsync((c, t) => OcMessages.HistoryAsync(c, peer, beforeSeq, limit, t), cancellationToken);

    /// <summary>ROOM_HISTORY over the current connection (a page of the room's stream within my span, before <paramref name="beforeSeq"/>, 0 = the newest).</summary>
    public Task<(bool More, List<RoomMessage> Messages)> RoomHistoryAsync(uint roomId, ulong beforeSeq, int limit, CancellationToken cancellationToken) =>
        (CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back"))
            .CallAsync((c, t) => OcRoomMessages.HistoryAsync(c, roomId, beforeSeq, limit, t), cancellationToken);

    /// <summary>FILE_LIST of the files exchanged with <paramref name="peer"/> over the current connection.</summary>
    public Task<List<FileEntry>> FilesAsync(uint peer, CancellationToken cancellationToken) =>
        (CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back"))
            .CallAsync((c, t) => OcFiles.ListAsync(c, peer, t), cancellationToken);

    /// <summary>The files of a room I am in (FILE_LIST for the room) over the current connection.</summary>
    public Task<List<FileEntry>> RoomFilesAsync(uint roomId, CancellationToken cancellationToken) =>
        (CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back"))
            .CallAsync((c, t) => OcFiles.ListRoomAsync(c, roomId, t), cancellationToken);

    /// <summary>ROOM_INVITATIONS: the invitations waiting for me, over the current connection.</summary>
    public Task<List<RoomInvitation>> RoomInvitationsAsync(CancellationToken cancellationToken) =>
        (CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back"))
            .CallAsync(OcRooms.InvitationsAsync, cancellationToken);

    /// <summary>ROOM_RESPOND: accepts (the room's info back) or declines (null) an invitation, over the current connection.</summary>
    public async Task<RoomInfo?> RespondToRoomAsync(uint roomId, bool accept, CancellationToken cancellationToken)
    {
        var link = CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back");
        if (accept) return await link.CallAsync((c, t) => OcRooms.AcceptAsync(c, roomId, t), cancellationToken).ConfigureAwait(false);
        await link.CallAsync((c, t) => OcRooms.DeclineAsync(c, roomId, t), cancellationToken).ConfigureAwait(false);
        return null;
    }
}

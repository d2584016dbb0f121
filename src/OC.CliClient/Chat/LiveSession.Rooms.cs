using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

// Rooms in a live session: their names (for "[#482913 Lunch] alice: hi"), the stream's entries,
// sending to a room, and the lists of oc chat's /rooms and /members.
internal sealed partial class LiveSession
{
    private readonly Dictionary<uint, string> _roomNames = [];

    /// <summary>The rooms whose name this connection asked ROOM_LIST for already (an entry of a room not known yet).</summary>
    private readonly HashSet<uint> _roomsAsked = [];

    /// <summary>The people of room entries as oc listen and oc chat name them: "you", else the nick.</summary>
    public RoomNames RoomNames => new(Me, MyNick, You: true, Nick);

    /// <summary>The room's name as last heard (ROOM_LIST, ROOM_EVENT); null when not known.</summary>
    public string? RoomName(uint roomId)
    {
        lock (_lock) return _roomNames.TryGetValue(roomId, out var name) ? name : null;
    }

    /// <summary>ROOM_LIST over the current connection; throws <see cref="OcConnectionException"/> without one.</summary>
    public async Task<List<RoomInfo>> RoomsAsync(CancellationToken cancellationToken)
    {
        var rooms = await Current().CallAsync(OcRooms.ListAsync, cancellationToken).ConfigureAwait(false);
        LearnRooms(rooms);
        return rooms;
    }

    /// <summary>ROOM_MEMBERS over the current connection.</summary>
    public async Task<List<RoomMember>> RoomMembersAsync(uint roomId, CancellationToken cancellationToken)
    {
        var members = await Current().CallAsync((c, t) => OcRooms.MembersAsync(c, roomId, t), cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var m in members) _nicks[m.OcNumber] = m.Nick;
        }

        return members;
    }

    /// <summary>
    /// ROOM_SEND, with the resend rule of <see cref="SendAsync"/>: the same id after a reconnect,
    /// so the appliance stores the message once.
    /// </summary>
    public Task<Sent> SendToRoomAsync(uint roomId, string text, byte[] messageId, CancellationToken cancellationToken) =>
        SendOnceAsync((c, t) => OcRoomMessages.SendAsync(c, roomId, text, messageId, t), cancellationToken);

    private ApplianceLink Current() =>
        CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back");

    /// <summary>The rooms of a new connection, for their names; none from an appliance without rooms.</summary>
    private async Task LoadRoomsAsync(ApplianceLink link, CancellationToken cancellationToken)
    {
        lock (_lock) _roomsAsked.Clear();
        try
        {
            LearnRooms(await link.CallAsync(OcRooms.ListAsync, cancellationToken).ConfigureAwait(false));
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownFrameType)
        {
        }
    }

    private void LearnRooms(List<RoomInfo> rooms)
    {
        lock (_lock)
        {
            foreach (var room in rooms) _roomNames[room.RoomId] = room.Name;
        }
    }

    /// <summary>
    /// Learns what a room entry tells (the subject's nick) and what it needs (the sender's nick, the
    /// room's name); false for the user's own message that this process sent (shown when typed).
    /// </summary>
    private async Task<bool> PrepareRoomEntryAsync(ApplianceLink link, RoomMessage entry, CancellationToken cancellationToken)
    {
        if (entry.From == Me && entry.Kind == RoomMessageKind.Text && SentHere(entry.Seq)) return false;
        bool ask;
        lock (_lock)
        {
            if (entry.Kind is >= RoomMessageKind.Joined and <= RoomMessageKind.OwnerChanged && entry.Subject != Me && entry.Text.Length > 0)
            {
                _nicks[entry.Subject] = entry.Text;
            }

            // A room joined elsewhere meanwhile (oc room accept): its name is one ROOM_LIST away.
            ask = !_roomNames.ContainsKey(entry.RoomId) && _roomsAsked.Add(entry.RoomId);
        }

        if (ask)
        {
            try
            {
                LearnRooms(await link.CallAsync(OcRooms.ListAsync, cancellationToken).ConfigureAwait(false));
            }
            catch (OcErrorException)
            {
                // Shown as #482913 without its name.
            }
        }

        await LearnNickAsync(link, entry.From, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A ROOM_EVENT: it names the room and its subject, and that is all it is used for here. A live
    /// session also gets the room stream's entry of the same change (docs/protocol.md, "Room
    /// messages") and shows that one, so the change is shown once.
    /// </summary>
    private void LearnFromRoomEvent(RoomEvent change)
    {
        lock (_lock)
        {
            _roomNames[change.RoomId] = change.RoomName;
            if (change.Subject != Me) _nicks[change.Subject] = change.SubjectNick;
        }
    }
}

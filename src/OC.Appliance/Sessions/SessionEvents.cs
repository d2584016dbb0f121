namespace OC.Appliance.Sessions;

/// <summary>
/// The narrow, named way features learn of each other's session changes without touching each
/// other's state: the messages handler says a session went live (SYNC caught up), the accounts
/// handler and the router say a session ended (logout, close); the file handlers listen. The
/// uploads handler says a room file was sealed; the rooms side appends it to the room's stream.
/// Loop thread only.
/// </summary>
internal sealed class SessionEvents
{
    /// <summary>A session finished its SYNC: from now on events are pushed to it.</summary>
    public event Action<ClientSession>? WentLive;

    /// <summary>A session's login ended (logout or the connection closed); its per-session state goes.</summary>
    public event Action<ClientSession>? Ended;

    /// <summary>
    /// A file to a room is complete and verified (docs/protocol.md, "Room files"): the room's stream
    /// gets its <c>File</c> entry (kind 5) from whoever subscribes. Raised once per file, after its
    /// sidecar is on disk, before the members' FILE_RECEIVED.
    /// </summary>
    public event Action<RoomFileSealed>? RoomFileSealed;

    /// <summary>The administrator deleted an account (committed): the rooms' streams catch up with the memberships it lost.</summary>
    public event Action<int>? AccountDeleted;

    public void RaiseAccountDeleted(int number) => AccountDeleted?.Invoke(number);

    public void RaiseWentLive(ClientSession session) => WentLive?.Invoke(session);

    public void RaiseRoomFileSealed(RoomFileSealed file) => RoomFileSealed?.Invoke(file);

    public void RaiseEnded(ClientSession session) => Ended?.Invoke(session);
}

/// <summary>A sealed room file, as the room's stream records it: from = sender, text = name, messageId = fileId (8 bytes, big-endian).</summary>
internal readonly record struct RoomFileSealed(int RoomId, int From, ulong FileId, string Name);

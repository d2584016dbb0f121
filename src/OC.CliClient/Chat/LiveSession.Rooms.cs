using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

// The rooms of oc chat's /rooms and /members, asked over the current connection.
internal sealed partial class LiveSession
{
    /// <summary>ROOM_LIST over the current connection; throws <see cref="OcConnectionException"/> without one.</summary>
    public Task<List<RoomInfo>> RoomsAsync(CancellationToken cancellationToken) =>
        (CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back"))
            .CallAsync(OcRooms.ListAsync, cancellationToken);

    /// <summary>ROOM_MEMBERS over the current connection.</summary>
    public Task<List<RoomMember>> RoomMembersAsync(uint roomId, CancellationToken cancellationToken) =>
        (CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back"))
            .CallAsync((c, t) => OcRooms.MembersAsync(c, roomId, t), cancellationToken);
}

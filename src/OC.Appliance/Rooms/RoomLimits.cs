namespace OC.Appliance.Rooms;

/// <summary>
/// --room-members and --rooms-per-user: how many members one room holds and how many rooms one
/// user may be a member of (created or joined). Both bound the fan-out of a message and the size
/// of a member's SYNC, so neither grows without limit.
/// </summary>
internal sealed record RoomLimits(int MaxMembers = RoomLimits.DefaultMaxMembers, int MaxRoomsPerUser = RoomLimits.DefaultMaxRoomsPerUser)
{
    public const int DefaultMaxMembers = 500;
    public const int DefaultMaxRoomsPerUser = 100;

    public static readonly RoomLimits Default = new();
}

namespace OC.Appliance.Storage;

/// <summary>
/// A user's friends, whom they block and who blocks them, read at login so the loop can answer
/// "may these two talk?" without a storage round trip.
/// </summary>
internal sealed record UserRelations(List<int> Friends, List<int> Blocking, List<int> BlockedBy)
{
    public static UserRelations None => new([], [], []);
}

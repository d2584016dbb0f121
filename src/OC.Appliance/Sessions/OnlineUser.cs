
namespace OC.Appliance.Sessions;

/// <summary>A user with at least one logged-in session, and what the loop needs to push to them.</summary>
internal sealed class OnlineUser(int number, string nick, IEnumerable<int> friends, IEnumerable<int> blocking, IEnumerable<int> blockedBy)
{
    public int Number { get; } = number;
    public string Nick { get; } = nick;

    /// <summary>Every logged-in session of this user (several terminals at once).</summary>
    public List<ClientSession> Sessions { get; } = [];

    /// <summary>How many of <see cref="Sessions"/> went live (<see cref="ClientSession.Present"/>): the user is online to friends while this is above 0.</summary>
    public int PresentSessions { get; set; }

    /// <summary>The friend list, loaded at login and kept current by every committed change.</summary>
    public HashSet<int> Friends { get; } = [.. friends];

    /// <summary>The users this one blocks, loaded at login and kept current by BLOCK/UNBLOCK.</summary>
    public HashSet<int> Blocking { get; } = [.. blocking];

    /// <summary>The users who block this one, kept current the same way.</summary>
    public HashSet<int> BlockedBy { get; } = [.. blockedBy];
}


namespace OC.Appliance.Sessions;

/// <summary>A user with at least one logged-in session, and what the loop needs to push to them.</summary>
internal sealed class OnlineUser(int number, string nick, IEnumerable<int> friends)
{
    public int Number { get; } = number;
    public string Nick { get; } = nick;

    /// <summary>Every logged-in session of this user (several terminals at once).</summary>
    public List<ClientSession> Sessions { get; } = [];

    /// <summary>The friend list, loaded at login and kept current by FRIEND_ADD/REMOVE.</summary>
    public HashSet<int> Friends { get; } = [.. friends];
}

namespace OC.Appliance.Accounts;

/// <summary>
/// Who is logged in right now: logged-in sessions per OC number, so one user on two devices
/// counts once in <see cref="Users"/> and twice in <see cref="Sessions"/>. Loop thread only.
/// Presence (telling friends who is online) will grow from here with the chat issue.
/// </summary>
internal sealed class OnlineUsers
{
    private readonly Dictionary<int, int> _sessionsByUser = [];

    /// <summary>Distinct users with at least one logged-in session.</summary>
    public int Users => _sessionsByUser.Count;

    /// <summary>Logged-in sessions (connections), all users together.</summary>
    public int Sessions { get; private set; }

    public void Add(int number)
    {
        _sessionsByUser[number] = _sessionsByUser.GetValueOrDefault(number) + 1;
        Sessions++;
    }

    public void Remove(int number)
    {
        if (!_sessionsByUser.TryGetValue(number, out int count)) return;
        if (count <= 1) _sessionsByUser.Remove(number);
        else _sessionsByUser[number] = count - 1;
        Sessions--;
    }
}

namespace OC.Appliance.Sessions;

/// <summary>
/// The narrow, named way features learn of each other's session changes without touching each
/// other's state: the messages handler says a session went live (SYNC caught up), the accounts
/// handler and the router say a session ended (logout, close); the file handlers listen.
/// Loop thread only.
/// </summary>
internal sealed class SessionEvents
{
    /// <summary>A session finished its SYNC: from now on events are pushed to it.</summary>
    public event Action<ClientSession>? WentLive;

    /// <summary>A session's login ended (logout or the connection closed); its per-session state goes.</summary>
    public event Action<ClientSession>? Ended;

    public void RaiseWentLive(ClientSession session) => WentLive?.Invoke(session);

    public void RaiseEnded(ClientSession session) => Ended?.Invoke(session);
}

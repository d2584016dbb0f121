namespace OC.Appliance.Storage;

/// <summary>
/// Running totals of what the account database holds, for the status page and metrics, owned by
/// the storage worker so the event loop never has to ask LiteDB. Written on the storage thread
/// only (counted when the database opens, then adjusted by each job once its group is durable,
/// see <see cref="WorkerJob{TStore}.OnDurable"/>); read from any thread.
/// </summary>
/// <remarks>
/// Counting at open and adding after each commit is the simplest way that stays exact: a
/// periodic recount would be a full scan that lags, and counting on the loop would miss jobs
/// whose client went away before the reply. After a storage fault the outcome of the failed
/// group is unknown, so the database is counted again when it reopens. Messages and files
/// are not in LiteDB: their stores keep their own counts.
/// </remarks>
internal sealed class AccountCounters
{
    private long _users;
    private long _friendRequests;
    private long _blocks;
    private long _rooms;

    public long Users => Interlocked.Read(ref _users);

    /// <summary>Friend requests waiting for an answer.</summary>
    public long FriendRequests => Interlocked.Read(ref _friendRequests);

    /// <summary>Blocks standing (each direction counts: two users blocking each other are two).</summary>
    public long Blocks => Interlocked.Read(ref _blocks);

    /// <summary>Rooms that exist (a room goes with its last member).</summary>
    public long Rooms => Interlocked.Read(ref _rooms);

    public void AddRooms(long count) => Interlocked.Add(ref _rooms, count);

    public void AddUsers(long count) => Interlocked.Add(ref _users, count);

    public void AddFriendRequests(long count) => Interlocked.Add(ref _friendRequests, count);

    public void AddBlocks(long count) => Interlocked.Add(ref _blocks, count);

    /// <summary>Sets the totals from a count of the database (at open).</summary>
    public void Reset(long users, long friendRequests = 0, long blocks = 0, long rooms = 0)
    {
        Interlocked.Exchange(ref _rooms, rooms);
        Interlocked.Exchange(ref _users, users);
        Interlocked.Exchange(ref _friendRequests, friendRequests);
        Interlocked.Exchange(ref _blocks, blocks);
    }
}

using OC.Appliance.Storage;

namespace OC.Tests.Storage;

/// <summary>Friend requests and blocks in LiteDB (a real file in a temp folder): directions, idempotence, counts, restarts.</summary>
public sealed class RelationStoreTests : IDisposable
{
    private static readonly DateTime s_now = new(2025, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static T Read<T>(StorageHarness harness, Func<LiteDB.LiteDatabase, T> read) =>
        (T)harness.Run(new TestJob(db => read(db), writes: false)).Result!;

    [Fact]
    public void A_request_has_a_direction_and_is_stored_once()
    {
        using var harness = new StorageHarness(_dir.Path);
        Assert.True(Read(harness, db => FriendRequestStore.Add(db, 111111, 222222, s_now)));
        Assert.False(Read(harness, db => FriendRequestStore.Add(db, 111111, 222222, s_now.AddMinutes(1))));
        Assert.True(Read(harness, db => FriendRequestStore.Exists(db, 111111, 222222)));
        Assert.False(Read(harness, db => FriendRequestStore.Exists(db, 222222, 111111)));

        Assert.True(Read(harness, db => FriendRequestStore.Add(db, 333333, 222222, s_now.AddSeconds(1))));
        Assert.Equal([(111111, s_now), (333333, s_now.AddSeconds(1))], Read(harness, db => FriendRequestStore.To(db, 222222, 10)));
        Assert.Equal([(222222, s_now)], Read(harness, db => FriendRequestStore.From(db, 111111, 10)));
        Assert.Equal([(333333, s_now.AddSeconds(1))], Read(harness, db => FriendRequestStore.To(db, 222222, 1))); // the newest
        Assert.Equal(1, Read(harness, db => FriendRequestStore.CountFrom(db, 111111)));

        Assert.True(Read(harness, db => FriendRequestStore.Add(db, 222222, 111111, s_now)));
        Assert.Equal(2, Read(harness, db => FriendRequestStore.RemoveBetween(db, 222222, 111111)));
        Assert.Equal(0, Read(harness, db => FriendRequestStore.RemoveBetween(db, 222222, 111111)));
        Assert.Equal(1, Read(harness, db => FriendRequestStore.Count(db)));
    }

    [Fact]
    public void Blocks_and_requests_survive_a_restart_and_are_counted_at_open()
    {
        using (var harness = new StorageHarness(_dir.Path))
        {
            harness.Run(TestJob.Do(db =>
            {
                FriendRequestStore.Add(db, 111111, 222222, s_now);
                BlockStore.Add(db, 333333, 111111, s_now);
                BlockStore.Add(db, 111111, 444444, s_now);
                FriendStore.Add(db, 111111, 555555, s_now);
            }));
            Assert.False(Read(harness, db => BlockStore.Add(db, 333333, 111111, s_now.AddDays(1))));
        }

        using var again = new StorageHarness(_dir.Path);
        Assert.Equal(1, again.Worker.Counters.FriendRequests);
        Assert.Equal(2, again.Worker.Counters.Blocks);
        var relations = Read(again, db => FriendStore.RelationsOf(db, 111111));
        Assert.Equal([555555], relations.Friends);
        Assert.Equal([444444], relations.Blocking);
        Assert.Equal([333333], relations.BlockedBy);
        Assert.Equal([(111111, s_now)], Read(again, db => BlockStore.BlockedBy(db, 333333, 10)));
        Assert.True(Read(again, db => BlockStore.IsBlocking(db, 333333, 111111)));
        Assert.False(Read(again, db => BlockStore.IsBlocking(db, 111111, 333333)));

        Assert.True(Read(again, db => BlockStore.Remove(db, 333333, 111111)));
        Assert.False(Read(again, db => BlockStore.Remove(db, 333333, 111111)));
        Assert.Empty(Read(again, db => FriendStore.RelationsOf(db, 111111)).BlockedBy);
    }
}

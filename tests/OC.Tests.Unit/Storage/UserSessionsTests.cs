using LiteDB;
using OC.Appliance.Storage;

namespace OC.Tests.Storage;

/// <summary>The "sessions" collection and the account operations of the admin, on a real LiteDB file.</summary>
public sealed class UserSessionsTests : IDisposable
{
    private static readonly DateTime s_now = new(2025, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc);
    private static readonly TimeSpan s_ttl = TimeSpan.FromDays(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Token(int i) => [.. Enumerable.Repeat((byte)i, 32)];

    private static SessionRecord Create(StorageHarness harness, int i, int user, DateTime at, string device = "laptop") =>
        (SessionRecord)harness.Run(new TestJob(db => UserSessions.Create(db, Token(i), user, device, "192.0.2.7", at))).Result!;

    private static (ResumeOutcome Outcome, SessionRecord? Session) Resume(StorageHarness harness, int i, DateTime at) =>
        ((ResumeOutcome, SessionRecord?))harness.Run(new TestJob(db =>
        {
            var outcome = UserSessions.TryResume(db, Token(i), "198.51.100.9", at, s_ttl, out var session);
            return (outcome, session);
        })).Result!;

    private static List<SessionRecord> List(StorageHarness harness, int user, DateTime at) =>
        (List<SessionRecord>)harness.Run(new TestJob(db => UserSessions.ListFor(db, user, at, s_ttl), writes: false)).Result!;

    [Fact]
    public void A_session_expires_when_unused_for_the_ttl_and_a_resume_records_the_use()
    {
        using var harness = new StorageHarness(_dir.Path);
        var created = Create(harness, 1, 123456, s_now);
        Assert.InRange(created.Id, 1, int.MaxValue);

        var (outcome, resumed) = Resume(harness, 1, s_now + s_ttl - TimeSpan.FromMilliseconds(1));
        Assert.Equal(ResumeOutcome.Resumed, outcome);
        Assert.Equal(created.Id, resumed!.Id);
        Assert.Equal("198.51.100.9", resumed.Address);
        Assert.Equal(s_now + s_ttl - TimeSpan.FromMilliseconds(1), resumed.LastUsedUtc);
        Assert.Equal(s_now, resumed.CreatedUtc);

        DateTime lastUse = resumed.LastUsedUtc;
        Assert.Single(List(harness, 123456, lastUse + s_ttl - TimeSpan.FromMilliseconds(1)));
        Assert.Empty(List(harness, 123456, lastUse + s_ttl));

        Assert.Equal(ResumeOutcome.Expired, Resume(harness, 1, lastUse + s_ttl).Outcome);
        // Deleted by the refusal: afterwards it is unknown, whatever the clock says.
        Assert.Equal(ResumeOutcome.Unknown, Resume(harness, 1, lastUse).Outcome);
        Assert.Equal(ResumeOutcome.Unknown, Resume(harness, 2, s_now).Outcome);
    }

    [Fact]
    public void Sessions_are_listed_most_recently_used_first_and_revoked_only_by_their_owner()
    {
        using var harness = new StorageHarness(_dir.Path);
        var older = Create(harness, 1, 111111, s_now, "pi");
        var newer = Create(harness, 2, 111111, s_now.AddMinutes(1), "laptop");
        var someoneElse = Create(harness, 3, 222222, s_now);

        Assert.Equal([newer.Id, older.Id], List(harness, 111111, s_now.AddHours(1)).Select(s => s.Id));
        Assert.Equal(["laptop", "pi"], List(harness, 111111, s_now.AddHours(1)).Select(s => s.Device));

        Assert.Equal(false, harness.Run(new TestJob(db => UserSessions.DeleteOne(db, 111111, someoneElse.Id))).Result);
        Assert.Equal(true, harness.Run(new TestJob(db => UserSessions.DeleteOne(db, 111111, older.Id))).Result);
        Assert.Equal([newer.Id], List(harness, 111111, s_now.AddHours(1)).Select(s => s.Id));
        Assert.Single(List(harness, 222222, s_now.AddHours(1)));
    }

    [Fact]
    public void Deleting_all_of_a_users_sessions_can_keep_one_and_says_which_ended()
    {
        using var harness = new StorageHarness(_dir.Path);
        var keep = Create(harness, 1, 111111, s_now);
        var a = Create(harness, 2, 111111, s_now);
        var b = Create(harness, 3, 111111, s_now);
        Create(harness, 4, 222222, s_now);

        var ended = (List<int>)harness.Run(new TestJob(db => UserSessions.DeleteAllFor(db, 111111, keep.Id))).Result!;

        Assert.Equal(new[] { a.Id, b.Id }.Order(), ended.Order());
        Assert.Equal([keep.Id], List(harness, 111111, s_now).Select(s => s.Id));
        Assert.Single(List(harness, 222222, s_now));
    }

    [Fact]
    public void The_sweep_keeps_connected_sessions_in_use_and_deletes_the_expired_ones()
    {
        using var harness = new StorageHarness(_dir.Path);
        var connected = Create(harness, 1, 111111, s_now);
        Create(harness, 2, 111111, s_now);
        var recent = Create(harness, 3, 111111, s_now + s_ttl);
        DateTime sweep = s_now + s_ttl + TimeSpan.FromHours(1);

        int deleted = (int)harness.Run(new TestJob(db => UserSessions.Sweep(db, [(111111, connected.Id)], sweep, s_ttl))).Result!;

        Assert.Equal(1, deleted);
        var left = List(harness, 111111, sweep);
        Assert.Equal(new[] { connected.Id, recent.Id }.Order(), left.Select(s => s.Id).Order());
        Assert.Equal(sweep, Assert.Single(left, s => s.Id == connected.Id).LastUsedUtc);
    }

    [Fact]
    public void Sessions_stored_before_they_had_ids_get_one_when_the_database_opens()
    {
        using (new StorageHarness(_dir.Path)) { }
        using (var db = StorageHarness.OpenDirect(_dir.Path))
        {
            // The first version's document: no sid, device or address.
            db.GetCollection("sessions").Insert(new BsonDocument
            {
                ["_id"] = SessionTokens.Hash(Token(9)),
                ["user"] = 333333,
                ["created"] = s_now,
                ["lastUsed"] = s_now,
            });
        }

        using var harness = new StorageHarness(_dir.Path);
        var session = Assert.Single(List(harness, 333333, s_now));
        Assert.InRange(session.Id, 1, int.MaxValue);
        Assert.Equal(("", ""), (session.Device, session.Address));
        Assert.Equal(ResumeOutcome.Resumed, Resume(harness, 9, s_now.AddDays(1)).Outcome);
    }

    [Fact]
    public void A_second_process_cannot_open_the_data_folder_while_a_worker_holds_it()
    {
        using (var harness = new StorageHarness(_dir.Path))
        {
            var e = Assert.Throws<DataFolderBusyException>(() => new StorageHarness(_dir.Path));
            Assert.Contains(_dir.Path, e.Message, StringComparison.Ordinal);
            Assert.Equal(0, harness.Run(new TestJob(db => AccountStore.CountUsers(db), writes: false)).Result);
        }

        using var after = new StorageHarness(_dir.Path);
        Assert.Equal(0, after.Run(new TestJob(db => AccountStore.CountUsers(db), writes: false)).Result);
    }

    [Fact]
    public void Deleting_an_account_takes_its_sessions_friendships_requests_and_blocks_and_retires_its_number()
    {
        int number, friend;
        using (var harness = new StorageHarness(_dir.Path))
        {
            number = ((UserRecord)harness.Run(new TestJob(db => AccountStore.CreateUser(db, "gone", "", [1], 4096, [2], [3], s_now))).Result!).Number;
            friend = ((UserRecord)harness.Run(new TestJob(db => AccountStore.CreateUser(db, "stays", "", [1], 4096, [2], [3], s_now))).Result!).Number;
            harness.Run(TestJob.Do(db => FriendStore.Add(db, number, friend, s_now)));
            int other = ((UserRecord)harness.Run(new TestJob(db => AccountStore.CreateUser(db, "other", "", [1], 4096, [2], [3], s_now))).Result!).Number;
            harness.Run(TestJob.Do(db =>
            {
                FriendRequestStore.Add(db, other, number, s_now);
                FriendRequestStore.Add(db, number, friend, s_now);
                BlockStore.Add(db, number, other, s_now);
                BlockStore.Add(db, friend, number, s_now);
            }));
            var session = Create(harness, 1, number, s_now);

            var deleted = ((List<int> Friends, List<int> Sessions)?)harness.Run(new TestJob(db => AccountAdmin.DeleteUser(db, number, s_now))).Result;

            Assert.Equal([friend], deleted!.Value.Friends);
            Assert.Equal([session.Id], deleted.Value.Sessions);
            Assert.Null(harness.Run(new TestJob(db => AccountAdmin.DeleteUser(db, number, s_now))).Result);
            Assert.Empty((List<int>)harness.Run(new TestJob(db => FriendStore.FriendsOf(db, friend), writes: false)).Result!);
            Assert.Equal(ResumeOutcome.Unknown, Resume(harness, 1, s_now).Outcome);
            Assert.Null(harness.Run(new TestJob(db => AccountStore.FindUser(db, number), writes: false)).Result);
            Assert.Equal((0, 0), ((int, int))harness.Run(new TestJob(db => (FriendRequestStore.Count(db), BlockStore.Count(db)), writes: false)).Result!);
        }

        // What CreateUser checks before it hands a number out.
        using var direct = StorageHarness.OpenDirect(_dir.Path);
        Assert.NotNull(direct.GetCollection("retiredNumbers").FindById(number));
    }

    [Fact]
    public void A_password_reset_replaces_the_verifier_and_ends_every_session()
    {
        using var harness = new StorageHarness(_dir.Path);
        int number = ((UserRecord)harness.Run(new TestJob(db => AccountStore.CreateUser(db, "carol", "", [1], 4096, [2], [3], s_now))).Result!).Number;
        var a = Create(harness, 1, number, s_now);
        var b = Create(harness, 2, number, s_now);

        var ended = (List<int>?)harness.Run(new TestJob(db => AccountAdmin.ResetPassword(db, number, [7, 7], 5000, [8], [9]))).Result;

        Assert.Equal(new[] { a.Id, b.Id }.Order(), ended!.Order());
        var user = (UserRecord)harness.Run(new TestJob(db => AccountStore.FindUser(db, number), writes: false)).Result!;
        Assert.Equal([7, 7], user.Salt);
        Assert.Equal(5000, user.Iterations);
        Assert.Equal([8], user.StoredKey);
        Assert.Equal([9], user.ServerKey);
        Assert.Empty(List(harness, number, s_now));
        Assert.Null(harness.Run(new TestJob(db => AccountAdmin.ResetPassword(db, number == 100_000 ? 100_001 : 100_000, [1], 4096, [2], [3]))).Result);
    }
}

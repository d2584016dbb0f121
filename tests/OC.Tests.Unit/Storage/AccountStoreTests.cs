using System.Collections.Concurrent;
using System.Text;
using OC.Appliance.Storage;

namespace OC.Tests.Storage;

public sealed class AccountStoreTests : IDisposable
{
    private static readonly DateTime s_now = new(2025, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TestJob Register(string nick) => new(db => AccountStore.CreateUser(db, nick, nick + "@example.org",
        [1, 2, 3], 4096, [4, 5, 6], [7, 8, 9], s_now.AddTicks(1234)));

    [Fact]
    public void Accounts_sessions_and_appliance_id_survive_a_restart()
    {
        // Distinctive, so finding it in a file cannot be a coincidence.
        var token = Encoding.ASCII.GetBytes("OC-SESSION-TOKEN-MUST-NEVER-HIT-THE-DISK-7f3a9c");
        string applianceId;
        UserRecord created;
        using (var harness = new StorageHarness(_dir.Path))
        {
            applianceId = harness.Worker.ApplianceId;
            created = (UserRecord)harness.Run(Register("alice")).Result!;
            harness.Run(TestJob.Do(db => UserSessions.Create(db, token, created.Number, "laptop", "192.0.2.1", s_now)));
            AssertNotInFiles(token);
        }
        AssertNotInFiles(token);
        AssertInFiles(Encoding.ASCII.GetBytes(SessionTokens.Hash(token)));

        using (var harness = new StorageHarness(_dir.Path))
        {
            Assert.Equal(applianceId, harness.Worker.ApplianceId);
            Assert.Matches("^[0-9a-f]{32}$", applianceId);

            var user = (UserRecord?)harness.Run(new TestJob(db => AccountStore.FindUser(db, created.Number), writes: false)).Result;
            Assert.NotNull(user);
            Assert.Equal(created.Number, user.Number);
            Assert.Equal("alice", user.Nick);
            Assert.Equal("alice@example.org", user.Email);
            Assert.Equal([1, 2, 3], user.Salt);
            Assert.Equal(4096, user.Iterations);
            Assert.Equal([4, 5, 6], user.StoredKey);
            Assert.Equal([7, 8, 9], user.ServerKey);
            Assert.Equal(s_now, user.CreatedUtc); // stored to the millisecond, as the record said
            Assert.Equal(created.CreatedUtc, user.CreatedUtc);
            Assert.Equal(DateTimeKind.Utc, user.CreatedUtc.Kind);

            Assert.Equal(created.Number, Resume(harness, token, s_now.AddDays(1))?.User);
            Assert.Null(Resume(harness, "other token"u8.ToArray(), s_now));
            Assert.Equal(true, harness.Run(new TestJob(db => UserSessions.Delete(db, token))).Result);
            Assert.Equal(false, harness.Run(new TestJob(db => UserSessions.Delete(db, token))).Result);
            Assert.Null(Resume(harness, token, s_now));
            Assert.Null(harness.Run(new TestJob(db => AccountStore.FindUser(db, 1), writes: false)).Result);
        }
    }

    [Fact]
    public void Concurrent_registrations_get_distinct_six_digit_numbers()
    {
        const int threads = 4;
        const int perThread = 500;
        var jobs = new ConcurrentBag<TestJob>();
        using var harness = new StorageHarness(_dir.Path);

        var posters = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                var job = Register($"user{t}-{i}");
                jobs.Add(job);
                harness.Worker.Post(job);
            }
        })).ToList();
        posters.ForEach(p => p.Start());
        posters.ForEach(p => p.Join());
        harness.Pump(threads * perThread);

        Assert.All(jobs, j => Assert.Null(j.Error));
        var numbers = jobs.Select(j => ((UserRecord)j.Result!).Number).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.All(numbers, n => Assert.InRange(n, 100_000, 999_999));
        Assert.Equal(threads * perThread, harness.Run(new TestJob(db => AccountStore.CountUsers(db), writes: false)).Result);
        Assert.True(harness.Worker.GroupsCommitted < threads * perThread);
    }

    [Fact]
    public void Session_ids_are_the_lowercase_sha256_of_the_token()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SessionTokens.Hash("abc"u8));
    }

    private static SessionRecord? Resume(StorageHarness harness, byte[] token, DateTime now) =>
        (SessionRecord?)harness.Run(new TestJob(db => UserSessions.TryResume(db, token, "192.0.2.1", now, TimeSpan.FromDays(30), out var s) == ResumeOutcome.Resumed ? s : null)).Result;

    private void AssertNotInFiles(byte[] token)
    {
        foreach (var (file, bytes) in ReadFiles())
            Assert.True(bytes.AsSpan().IndexOf(token) < 0, $"the raw session token is in {file}");
    }

    // The control: the scan does see what the database stores.
    private void AssertInFiles(byte[] value) =>
        Assert.Contains(ReadFiles(), f => f.Bytes.AsSpan().IndexOf(value) >= 0);

    private List<(string File, byte[] Bytes)> ReadFiles()
    {
        // oc.lock is empty, and held with an exclusive lock that a .NET reader would run into.
        var files = Directory.GetFiles(_dir.Path).Where(f => Path.GetFileName(f) != DataFolderLock.FileName).ToArray();
        Assert.NotEmpty(files);
        // LiteDB shares its files for reading, so this works while the worker has them open.
        return files.Select(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (f, copy.ToArray());
        }).ToList();
    }
}

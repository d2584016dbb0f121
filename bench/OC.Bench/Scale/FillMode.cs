using System.Diagnostics;
using System.Globalization;
using LiteDB;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;
using OC.Bench.Load;
using OC.Protocol.Security;

namespace OC.Bench.Scale;

/// <summary>
/// `fill --data DIR --messages N --conversations M --users U [--text-bytes B]`: a data folder
/// with U accounts (password <see cref="Password"/>, made through the appliance's own storage
/// worker) and N messages across M random conversations between them, written with the
/// appliance's own <see cref="MessageLog"/> (groups of 8,192, one write each, no fsync per group,
/// one at the end), its index checkpointed. The folder's layout goes to <see cref="ManifestName"/>
/// for `scale`.
/// </summary>
internal static class FillMode
{
    public const string Password = "bench-password";
    public const string ManifestName = "bench-fill.txt";
    public const int OfflineMessages = 10_000;
    private const int Group = 8192;

    public static int Run(string[] args)
    {
        var options = ScaleOptions.Parse(args);
        string data = options.Data;
        if (File.Exists(Path.Combine(data, MessageLog.FileName))) throw new UsageException($"{data} already holds messages; fill takes a new folder");
        PrivateFiles.EnsureOwnFolder(data);
        Console.WriteLine($"# bench fill --data {data} --messages {options.Messages} --conversations {options.Conversations} --users {options.Users} --text-bytes {options.TextBytes}");
        var clock = Stopwatch.StartNew();

        int[] users = CreateUsers(data, options.Users);
        Console.WriteLine($"fill: {users.Length} accounts in {clock.Elapsed.TotalSeconds:0.0} s");

        var random = new Random(13);
        var pairs = new HashSet<(int, int)>();
        int maxPairs = users.Length * (users.Length - 1) / 2;
        if (options.Conversations > maxPairs) throw new UsageException($"{users.Length} users have only {maxPairs} conversations");
        while (pairs.Count < options.Conversations)
        {
            int a = users[random.Next(users.Length)], b = users[random.Next(users.Length)];
            if (a != b) pairs.Add((Math.Min(a, b), Math.Max(a, b)));
        }
        var conversations = pairs.ToArray();
        var counts = new long[conversations.Length];

        // The user whose SYNC `scale` measures: the seqs of their newest messages.
        int offlineUser = conversations[0].Item1;
        var offline = new Queue<ulong>(OfflineMessages + 1);
        var text = new byte[options.TextBytes];
        var id = new byte[16];
        long writing = clock.ElapsedMilliseconds;
        using (var log = new MessageLog(data))
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - options.Messages;
            for (long i = 0; i < options.Messages; i++)
            {
                int c = random.Next(conversations.Length);
                counts[c]++;
                var (a, b) = conversations[c];
                bool forward = (i & 1) == 0;
                random.NextBytes(id);
                for (int t = 0; t < text.Length; t++) text[t] = (byte)('a' + (i + t) % 26);
                var sent = log.Append(forward ? a : b, forward ? b : a, id, text, now + i);
                if (a == offlineUser || b == offlineUser)
                {
                    offline.Enqueue(sent.Seq);
                    if (offline.Count > OfflineMessages + 1) offline.Dequeue();
                }
                if (i % Group == Group - 1) log.Commit(flushToDisk: false);
                if (i % 1_000_000 == 999_999) Console.WriteLine($"fill: {i + 1} messages, {clock.Elapsed.TotalSeconds:0.0} s");
            }
            log.Commit(flushToDisk: true);
            log.Checkpoint();
        }
        double seconds = (clock.ElapsedMilliseconds - writing) / 1000.0;
        long logBytes = new FileInfo(Path.Combine(data, MessageLog.FileName)).Length;
        long indexBytes = new FileInfo(Path.Combine(data, MessageIndex.FileName)).Length;
        Console.WriteLine($"fill: {options.Messages} messages in {seconds:0.0} s ({options.Messages / seconds:0} msg/s); messages.log {logBytes / 1048576.0:0} MiB, messages.index {indexBytes / 1048576.0:0} MiB");

        using var manifest = new StreamWriter(Path.Combine(data, ManifestName));
        manifest.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messages={options.Messages}"));
        manifest.WriteLine(string.Create(CultureInfo.InvariantCulture, $"offline-user={offlineUser}"));
        // SYNC after this seq hands over exactly the user's last 10,000 messages (fewer if they have fewer).
        manifest.WriteLine(string.Create(CultureInfo.InvariantCulture, $"offline-after={(offline.Count > OfflineMessages ? offline.Peek() : 0)}"));
        for (int c = 0; c < conversations.Length; c++)
            manifest.WriteLine(string.Create(CultureInfo.InvariantCulture, $"conversation={conversations[c].Item1},{conversations[c].Item2},{counts[c]}"));
        return 0;
    }

    /// <summary>The accounts, in one job of a storage worker of this process (as `oc-appliance user` does without an appliance).</summary>
    private static int[] CreateUsers(string data, int count)
    {
        var credentials = ScramCredentials.Derive(Password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        using var done = new SemaphoreSlim(0);
        var job = new CreateUsersJob(count, credentials);
        var worker = new StorageWorker(data, () => done.Release());
        try
        {
            worker.Post(job);
            while (!job.Completed)
            {
                if (!done.Wait(TimeSpan.FromMinutes(5))) throw new TimeoutException("the storage worker did not answer");
                worker.DrainCompleted();
            }
        }
        finally
        {
            worker.Dispose();
            worker.DrainCompleted();
        }
        if (job.Error is not null) throw new IOException($"creating the accounts failed: {job.Error.Message}", job.Error);
        return job.Numbers;
    }

    private sealed class CreateUsersJob(int count, ScramCredentials credentials) : StorageJob
    {
        public int[] Numbers { get; } = new int[count];
        public bool Completed { get; private set; }

        internal override void Execute(LiteDatabase db)
        {
            for (int i = 0; i < Numbers.Length; i++)
            {
                Numbers[i] = AccountStore.CreateUser(db, $"bench{i}", "", credentials.Salt, credentials.Iterations,
                    credentials.StoredKey, credentials.ServerKey, DateTime.UtcNow).Number;
            }
        }

        internal override void Complete() => Completed = true;
    }
}

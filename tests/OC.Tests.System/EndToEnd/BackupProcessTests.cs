using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using OC.Protocol.Client;
using OC.Protocol.Messages;
using OC.Tests.Cli;
using OC.Tests.Integration;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.EndToEnd;

/// <summary>
/// <c>oc-appliance backup</c> and <c>restore</c> as processes (the published AOT binary under
/// ./test.sh) against a running appliance process in the middle of a burst of messages, against a
/// stopped one's data folder, and against archives that are damaged or folders that are taken.
/// </summary>
public sealed class BackupProcessTests : IDisposable
{
    private const string Password = "pw";
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(120);
    private readonly string _data = TempDirectory.Create("oc-backup");
    private readonly string _work = TempDirectory.Create("oc-backup-work");

    public void Dispose()
    {
        TempDirectory.Delete(_data);
        TempDirectory.Delete(_work);
    }

    private string Restored => Path.Combine(_work, "restored");

    /// <summary>Runs <c>oc-appliance ARGS</c> to its end (stdout and stderr are not a terminal: no progress bar).</summary>
    private static async Task<OcRun> ApplianceToolAsync(params string[] args)
    {
        var start = ApplianceProcess.Command(args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("oc-appliance did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"oc-appliance {string.Join(' ', args)} did not exit within {ProcessTimeout.TotalSeconds} s");
        }
        return new OcRun(process.ExitCode, (await stdout).ReplaceLineEndings("\n"), (await stderr).ReplaceLineEndings("\n"));
    }

    private static void AssertSuccess(OcRun run) => Assert.True(run.ExitCode == 0, run.ToString());

    private static async Task<(uint Number, OcConnection Connection)> UserAsync(ApplianceProcess appliance, string nick)
    {
        var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, nick, Password);
        await TestUsers.LoginAsync(connection, number, Password);
        return (number, connection);
    }

    private static async Task<OcConnection> LoginAsync(ApplianceProcess appliance, uint number)
    {
        var connection = await appliance.ConnectAsync();
        await TestUsers.LoginAsync(connection, number, Password);
        return connection;
    }

    [Fact]
    public async Task A_backup_during_a_message_burst_restores_every_acknowledged_message_up_to_its_seq_once_with_accounts_friends_and_files()
    {
        const int Senders = 3;
        const int Window = 32;
        // Each sender goes on until the backup is done and then this many more, so the burst runs
        // on both sides of the snapshot however fast either is.
        const int AfterBackup = 300;
        string archive = Path.Combine(_work, "burst.tar.gz");
        byte[] photo = RandomNumberGenerator.GetBytes(300_000);
        var acked = new ConcurrentDictionary<Guid, ulong>();
        var senders = new uint[Senders];
        uint receiver;
        ulong fileId;
        string fingerprint;
        OcRun backup;
        int ackedBeforeBackup;

        using (var appliance = new ApplianceProcess(_data, "--no-rate-limits"))
        {
            fingerprint = appliance.Fingerprint!;
            var (receiverNumber, rc) = await UserAsync(appliance, "receiver");
            receiver = receiverNumber;
            await using var receiverConnection = rc;
            var connections = new OcConnection[Senders];
            for (int s = 0; s < Senders; s++)
            {
                (senders[s], connections[s]) = await UserAsync(appliance, $"sender{s}");
                await BefriendAsync(connections[s], receiver, rc);
            }
            fileId = await OcFiles.UploadAsync(connections[0], receiver, "photo.jpg", new MemoryStream(photo));

            var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var backupDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var bursts = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
            {
                var inFlight = new Queue<(byte[] Id, Task<ReceivedFrame> Reply)>();
                int last = int.MaxValue;
                for (int n = 0; n < last; n++)
                {
                    if (backupDone.Task.IsCompleted && last == int.MaxValue) last = n + AfterBackup;
                    byte[] id = Guid.NewGuid().ToByteArray();
                    inFlight.Enqueue((id, connections[s].RequestAsync((b, rid) => SendMessage.Write(b, rid, new SendMessage(receiver, id, $"s{s} n{n}")))));
                    while (inFlight.Count >= Window) await AckAsync(inFlight.Dequeue());
                }
                while (inFlight.Count > 0) await AckAsync(inFlight.Dequeue());

                async Task AckAsync((byte[] Id, Task<ReceivedFrame> Reply) item)
                {
                    var reply = await item.Reply;
                    Assert.True(Sent.TryRead(reply.Payload, out var sent));
                    acked[new Guid(item.Id)] = sent.Seq;
                    if (acked.Count >= 1000) underWay.TrySetResult();
                }
            })).ToArray();

            await underWay.Task.WaitAsync(ProcessTimeout);
            ackedBeforeBackup = acked.Count;
            try
            {
                backup = await ApplianceToolAsync("backup", "--data", _data, "--to", archive, "--json");
            }
            finally
            {
                backupDone.TrySetResult();
            }
            await Task.WhenAll(bursts).WaitAsync(ProcessTimeout);
            foreach (var c in connections) await c.DisposeAsync();
            Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
            Assert.Contains("backup.snapshot", appliance.Log, StringComparison.Ordinal);
        }
        AssertSuccess(backup);
        Assert.Equal("", backup.Stderr);
        Assert.Empty(Directory.EnumerateFiles(_data, "oc-snapshot-*"));
        var summary = JsonDocument.Parse(backup.Stdout).RootElement;
        Assert.Equal("running", summary.GetProperty("source").GetString());
        ulong lastSeq = summary.GetProperty("lastSeq").GetUInt64();
        var inBackup = acked.Where(a => a.Value <= lastSeq).ToDictionary(a => a.Key, a => a.Value);
        // Every message acknowledged before the backup began is in it, and the burst went on past it.
        Assert.True(inBackup.Count >= ackedBeforeBackup, $"{inBackup.Count} acknowledged messages up to seq {lastSeq}, {ackedBeforeBackup} before the backup began");
        Assert.True(acked.Count > inBackup.Count, "the whole burst was stored before the snapshot: the test proves nothing");
        // The burst is over and every message was acknowledged: the log up to lastSeq holds exactly these.
        Assert.Equal(inBackup.Count, summary.GetProperty("messages").GetInt64());
        Assert.Equal(Senders + 1, summary.GetProperty("users").GetInt32());
        Assert.Equal(Senders, summary.GetProperty("friendships").GetInt32());
        Assert.Equal(1, summary.GetProperty("files").GetInt32());
        Assert.True(summary.GetProperty("tlsKeyIncluded").GetBoolean());

        var restore = await ApplianceToolAsync("restore", archive, "--data", Restored, "--json");
        AssertSuccess(restore);
        var restoredSummary = JsonDocument.Parse(restore.Stdout).RootElement;
        Assert.Equal(summary.GetProperty("applianceId").GetString(), restoredSummary.GetProperty("applianceId").GetString());
        Assert.Equal(lastSeq, restoredSummary.GetProperty("lastSeq").GetUInt64());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Restored));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(Restored, "files")));
            foreach (string file in Directory.EnumerateFiles(Restored, "*", SearchOption.AllDirectories))
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
        }

        using var restored = new ApplianceProcess(Restored, "--no-rate-limits");
        Assert.Equal(fingerprint, restored.Fingerprint);
        await using (var check = await LoginAsync(restored, receiver))
        {
            Assert.Equal(summary.GetProperty("applianceId").GetString(), check.Welcome.ApplianceId);
            var stored = await SyncAsync(check, 0);
            var byId = stored.GroupBy(m => new Guid(m.MessageId)).ToDictionary(g => g.Key, g => g.ToList());
            Assert.All(byId.Values, copies => Assert.Single(copies));
            Assert.Equal(inBackup.Count, stored.Count);
            foreach (var (id, seq) in inBackup) Assert.Equal(seq, Assert.Single(byId[id]).Seq);

            // The file, byte for byte.
            using var got = new MemoryStream();
            await OcFiles.DownloadAsync(check, fileId, got);
            Assert.Equal(photo, got.ToArray());
        }
        await using (var sender = await LoginAsync(restored, senders[1]))
        {
            Assert.Contains(await OcFriends.ListAsync(sender), f => f.OcNumber == receiver);
            // The log goes on where the backup's ends.
            var next = await SendAsync(sender, receiver, "after the restore");
            Assert.Equal(lastSeq + 1, next.Seq);
        }
    }

    [Fact]
    public async Task A_backup_of_a_stopped_appliance_restores_into_an_empty_folder_with_the_same_accounts_and_history()
    {
        uint alice, bob;
        using (var appliance = new ApplianceProcess(_data))
        {
            var (a, aliceConnection) = await UserAsync(appliance, "alice");
            var (b, bobConnection) = await UserAsync(appliance, "bob");
            (alice, bob) = (a, b);
            await using (aliceConnection)
            await using (bobConnection)
            {
                await BefriendAsync(aliceConnection, bob, bobConnection);
                for (int i = 0; i < 10; i++) await SendAsync(aliceConnection, bob, $"message {i}");
            }
            Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
        }

        string archive = Path.Combine(_work, "stopped.tar.gz");
        var backup = await ApplianceToolAsync("backup", "--data", _data, "--to", archive, "--json");
        AssertSuccess(backup);
        var summary = JsonDocument.Parse(backup.Stdout).RootElement;
        Assert.Equal("stopped", summary.GetProperty("source").GetString());
        Assert.Equal((2, 1, 10L, 10UL), (summary.GetProperty("users").GetInt32(), summary.GetProperty("friendships").GetInt32(),
            summary.GetProperty("messages").GetInt64(), summary.GetProperty("lastSeq").GetUInt64()));
        Assert.Empty(Directory.EnumerateFiles(_data, "oc-snapshot-*"));

        // An empty folder that exists is fine; the text summary says where and how to start it.
        Directory.CreateDirectory(Restored);
        var restore = await ApplianceToolAsync("restore", archive, "--data", Restored);
        AssertSuccess(restore);
        Assert.StartsWith("Restored 2 accounts, 10 messages (up to seq 10) and 0 files of appliance ", restore.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"; start it with: oc-appliance --data {Restored}\n", restore.Stdout, StringComparison.Ordinal);

        // Without the TLS key: the restore says what to do about it.
        string keyless = Path.Combine(_work, "keyless.tar.gz");
        var withoutKey = await ApplianceToolAsync("backup", "--data", _data, "--to", keyless, "--exclude-tls-key", "--json");
        AssertSuccess(withoutKey);
        Assert.False(JsonDocument.Parse(withoutKey.Stdout).RootElement.GetProperty("tlsKeyIncluded").GetBoolean());
        string keylessFolder = Path.Combine(_work, "keyless");
        var keylessRestore = await ApplianceToolAsync("restore", keyless, "--data", keylessFolder);
        AssertSuccess(keylessRestore);
        Assert.Contains("The backup holds no TLS private key: put your copy of tls-key.pem into", keylessRestore.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(keylessFolder, "tls-cert.pem")));
        Assert.False(File.Exists(Path.Combine(keylessFolder, "tls-key.pem")));

        // The original starts again after the backup (the lock is gone), and so does the copy.
        using (var original = new ApplianceProcess(_data)) _ = original.Port;
        using var restored = new ApplianceProcess(Restored);
        await using var bobAgain = await LoginAsync(restored, bob);
        var (more, history) = await HistoryAsync(bobAgain, alice);
        Assert.False(more);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"message {i}"), history.OrderBy(m => m.Seq).Select(m => m.Text));
    }

    [Fact]
    public async Task Restore_refuses_a_folder_in_use_and_a_damaged_or_cut_archive_and_the_commands_explain_themselves()
    {
        using (var appliance = new ApplianceProcess(_data))
        {
            var (_, connection) = await UserAsync(appliance, "carol");
            await connection.DisposeAsync();
        }
        string archive = Path.Combine(_work, "good.tar.gz");
        AssertSuccess(await ApplianceToolAsync("backup", "--data", _data, "--to", archive));

        var backupHelp = await ApplianceToolAsync("backup", "--help");
        AssertSuccess(backupHelp);
        Assert.Contains("--to", backupHelp.Stdout, StringComparison.Ordinal);
        Assert.Contains("keep it as safe as the appliance itself", backupHelp.Stdout, StringComparison.Ordinal);
        var restoreHelp = await ApplianceToolAsync("restore", "--help");
        AssertSuccess(restoreHelp);
        Assert.Contains("Refuses a folder that is not empty", restoreHelp.Stdout, StringComparison.Ordinal);

        var noTarget = await ApplianceToolAsync("backup", "--data", _data);
        Assert.Equal((2, "oc-appliance: Option '--to' is required. (see oc-appliance --help)\n"), (noTarget.ExitCode, noTarget.Stderr));
        var exists = await ApplianceToolAsync("backup", "--data", _data, "--to", archive);
        Assert.Equal((1, $"oc-appliance: {archive} exists already: name a new file\n"), (exists.ExitCode, exists.Stderr));
        string nothing = Path.Combine(_work, "nothing");
        var noData = await ApplianceToolAsync("backup", "--data", nothing, "--to", Path.Combine(_work, "x.tar.gz"));
        Assert.Equal((1, $"oc-appliance: no appliance data in {nothing} (no oc.db there); name the appliance's data folder with --data\n"), (noData.ExitCode, noData.Stderr));
        Assert.False(File.Exists(Path.Combine(_work, "x.tar.gz")));

        // A folder that is not empty: the running appliance's own, or any other.
        var taken = await ApplianceToolAsync("restore", archive, "--data", _data);
        Assert.Equal((1, $"oc-appliance: {_data} is not empty: restore only into a new or empty folder (the restored appliance is started there with --data)\n"), (taken.ExitCode, taken.Stderr));

        // Cut short: gzip and tar end early, or the manifest (the last member) is missing.
        byte[] whole = await File.ReadAllBytesAsync(archive);
        string cut = Path.Combine(_work, "cut.tar.gz");
        await File.WriteAllBytesAsync(cut, whole[..(whole.Length / 2)]);
        var cutRun = await ApplianceToolAsync("restore", cut, "--data", Restored);
        Assert.Equal(1, cutRun.ExitCode);
        Assert.StartsWith("oc-appliance: the backup is damaged or incomplete: ", cutRun.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("; nothing was restored\n", cutRun.Stderr, StringComparison.Ordinal);
        Assert.Single(cutRun.Stderr.TrimEnd('\n').Split('\n'));
        Assert.False(Directory.Exists(Restored), "a refused restore left a folder behind");

        // A well-formed archive whose message log was changed: only the manifest's SHA-256 tells.
        string tampered = Path.Combine(_work, "tampered.tar.gz");
        await RewriteAsync(archive, tampered, "messages.log", data => data[0] ^= 0x20);
        var tamperedRun = await ApplianceToolAsync("restore", tampered, "--data", Restored);
        Assert.Equal((1, "oc-appliance: the backup is damaged or incomplete: 'messages.log' does not match its SHA-256 in the manifest; nothing was restored\n"),
            (tamperedRun.ExitCode, tamperedRun.Stderr));
        Assert.False(Directory.Exists(Restored), "a refused restore left a folder behind");

        // Not a backup at all.
        string text = Path.Combine(_work, "notes.txt");
        await File.WriteAllTextAsync(text, "not an archive\n");
        var textRun = await ApplianceToolAsync("restore", text, "--data", Restored);
        Assert.Equal(1, textRun.ExitCode);
        Assert.StartsWith("oc-appliance: the backup is damaged or incomplete: its data cannot be read", textRun.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Restored), "a refused restore left a folder behind");

        // The good one still restores.
        AssertSuccess(await ApplianceToolAsync("restore", archive, "--data", Restored));
        Assert.True(File.Exists(Path.Combine(Restored, "oc.db")));
    }

    /// <summary>Copies a tar.gz member by member, changing the bytes of one.</summary>
    private static async Task RewriteAsync(string from, string to, string member, Action<byte[]> change)
    {
        await using var input = new GZipStream(File.OpenRead(from), CompressionMode.Decompress);
        await using var output = new GZipStream(File.Create(to), CompressionLevel.Fastest);
        await using var reader = new TarReader(input);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var data = new MemoryStream();
            if (entry.DataStream is not null) await entry.DataStream.CopyToAsync(data);
            byte[] bytes = data.ToArray();
            if (entry.Name == member) change(bytes);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entry.Name) { DataStream = new MemoryStream(bytes) });
        }
    }
}

using System.Security.Cryptography;
using OC.Protocol.Client;
using OC.Protocol.Messages;
using OC.Tests.Integration;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.EndToEnd;

/// <summary>kill -9 of the appliance in the middle of a 200 MB upload, then resume (the appliance as a process).</summary>
public sealed class FileCrashTests
{
    private const long Size = 200L * 1000 * 1000;

    [Fact]
    public async Task A_200_MB_upload_resumes_after_kill_9_from_at_least_the_last_confirmed_offset_and_downloads_identical()
    {
        string data = TempDirectory.Create("oc-filecrash");
        string work = TempDirectory.Create("oc-filecrash-work");
        try
        {
            string source = Path.Combine(work, "big.bin");
            await WriteRandomAsync(source, Size);
            byte[] sha;
            await using (var s = File.OpenRead(source)) sha = await SHA256.HashDataAsync(s);

            uint alice, bob;
            long confirmedBeforeKill = 0;
            ulong fileId = 0;
            using (var appliance = new ApplianceProcess(data))
            {
                await using var aliceConn = await appliance.ConnectAsync();
                alice = await TestUsers.RegisterAsync(aliceConn, "alice", "pw");
                await TestUsers.LoginAsync(aliceConn, alice, "pw");
                await using var bobConn = await appliance.ConnectAsync();
                bob = await TestUsers.RegisterAsync(bobConn, "bob", "pw");
                await TestUsers.LoginAsync(bobConn, bob, "pw");
                await BefriendAsync(aliceConn, bob, bobConn);

                var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var progress = new Reporter(p =>
                {
                    fileId = p.FileId;
                    confirmedBeforeKill = Math.Max(confirmedBeforeKill, p.Done);
                    if (p.Done >= Size / 2) halfway.TrySetResult();
                });
                await using var file = File.OpenRead(source);
                var upload = OcFiles.UploadAsync(aliceConn, bob, "big.bin", file, progress);
                await Task.WhenAny(halfway.Task, upload).Unwrap();
                Assert.False(upload.IsCompleted, "the upload finished before the kill");
                appliance.KillHard();
                await Assert.ThrowsAnyAsync<Exception>(() => upload);
            }
            Assert.True(confirmedBeforeKill >= Size / 2);

            using (var again = new ApplianceProcess(data))
            {
                await using var aliceConn = await again.ConnectAsync();
                await TestUsers.LoginAsync(aliceConn, alice, "pw");
                byte[] key;
                await using (var file = File.OpenRead(source)) key = await OcFiles.UploadKeyAsync("big.bin", file);
                var accepted = await OcFiles.OfferAsync(aliceConn, new FileOffer(bob, "big.bin", (ulong)Size, key, HashAtEnd: true));
                Assert.Equal(fileId, accepted.FileId);
                Assert.InRange((long)accepted.Offset, confirmedBeforeKill, Size - 1);
                Assert.Equal((long)accepted.Offset, new FileInfo(Path.Combine(data, "files", fileId.ToString("x16") + ".part")).Length);

                // The same call as the first time finishes it (the offer is answered with the same offset).
                await using (var file = File.OpenRead(source))
                {
                    Assert.Equal(fileId, await OcFiles.UploadAsync(aliceConn, bob, "big.bin", file));
                }

                await using var bobConn = await again.ConnectAsync();
                await TestUsers.LoginAsync(bobConn, bob, "pw");
                string target = Path.Combine(work, "got.bin");
                await using (var output = new FileStream(target, FileMode.Create, FileAccess.ReadWrite))
                {
                    await OcFiles.DownloadAsync(bobConn, fileId, output);
                }
                await using var got = File.OpenRead(target);
                Assert.Equal(Size, got.Length);
                Assert.Equal(sha, await SHA256.HashDataAsync(got));
            }
        }
        finally
        {
            TempDirectory.Delete(data);
            TempDirectory.Delete(work);
        }
    }

    private static async Task WriteRandomAsync(string path, long size)
    {
        var buffer = new byte[4 * 1024 * 1024];
        await using var f = File.Create(path);
        for (long left = size; left > 0; left -= buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            await f.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
        }
    }

    private sealed class Reporter(Action<FileTransferProgress> report) : IProgress<FileTransferProgress>
    {
        public void Report(FileTransferProgress value) => report(value);
    }
}

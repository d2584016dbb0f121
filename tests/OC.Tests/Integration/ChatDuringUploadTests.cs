using System.Diagnostics;
using System.Security.Cryptography;
using OC.Protocol.Client;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LatencyCollection
{
    public const string Name = "latency, alone";
}

/// <summary>
/// Chat between two users while two others move 1 GiB through the same appliance. Alone (its own
/// collection, run after the parallel ones): the appliance runs in the test process, so another
/// test's large allocations and its garbage collections would otherwise be measured as chat delay
/// (seen: 1.8 s in a full run, 23-50 ms alone, also with dd loading the disk).
/// </summary>
[Collection(LatencyCollection.Name)]
public sealed class ChatDuringUploadTests
{
    [Fact]
    public async Task Chat_between_others_stays_prompt_while_a_large_upload_runs()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await BefriendAsync(aliceConn, bob);
        var (_, carolConn) = await NewUserAsync(appliance, "carol");
        var (dave, daveConn) = await NewUserAsync(appliance, "dave");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;
        await using var _d = daveConn;
        await BefriendAsync(carolConn, dave);
        Assert.Empty(await SyncAsync(daveConn, 0));

        // The case: a 1 GiB upload, from a file (not held in memory by the test).
        string folder = Path.Combine(Path.GetTempPath(), $"oc-large-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string source = Path.Combine(folder, "large.bin");
            byte[] sha = WriteRandomFile(source, 1024L * 1024 * 1024);
            await using var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024);
            var upload = Task.Run(() => OcFiles.UploadAsync(aliceConn, bob, "large.bin", file));

            // Messages go back and forth for as long as the upload runs (at least 20 of them).
            var worst = TimeSpan.Zero;
            int during = 0;
            for (int i = 0; i < 20 || !upload.IsCompleted; i++)
            {
                bool running = !upload.IsCompleted;
                var clock = Stopwatch.StartNew();
                await SendAsync(carolConn, dave, $"m{i}");
                var m = await NextMessageAsync(daveConn);
                clock.Stop();
                Assert.Equal($"m{i}", m.Text);
                if (running) during++;
                if (clock.Elapsed > worst) worst = clock.Elapsed;
                await Task.Delay(20);
            }
            ulong id = await upload;
            Assert.True(during >= 3, $"only {during} messages were sent while the upload ran");
            Assert.True(worst < TimeSpan.FromSeconds(1), $"a message took {worst.TotalMilliseconds:0} ms during the upload");

            // The bytes arrived whole: the download's own SHA-256 check, and ours of the copy.
            string copy = Path.Combine(folder, "copy.bin");
            await using (var target = new FileStream(copy, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1024 * 1024))
            {
                await OcFiles.DownloadAsync(bobConn, id, target);
            }
            await using (var check = File.OpenRead(copy))
            {
                Assert.Equal(sha, await SHA256.HashDataAsync(check));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Writes <paramref name="size"/> random bytes to <paramref name="path"/>; returns their SHA-256.</summary>
    private static byte[] WriteRandomFile(string path, long size)
    {
        var buffer = new byte[4 * 1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var output = File.Create(path);
        for (long left = size; left > 0; left -= buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            int n = (int)Math.Min(buffer.Length, left);
            output.Write(buffer, 0, n);
            hash.AppendData(buffer, 0, n);
        }
        return hash.GetHashAndReset();
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using Xunit.Abstractions;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>
/// A real full disk under an upload: the data folder on a small tmpfs. Mounting needs root on
/// Linux; elsewhere the test returns early (xunit 2 has no runtime skip) and says so.
/// </summary>
public sealed class FileDiskFullTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_upload_that_meets_a_full_disk_fails_clearly_keeps_its_part_and_resumes_once_space_is_free()
    {
        string mount = TempDirectory.Create("oc-files-tmpfs");
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || Exec("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount) != 0)
        {
            output.WriteLine("not run: mounting a tmpfs needs root on Linux");
            Directory.Delete(mount);
            return;
        }
        try
        {
            string data = Path.Combine(mount, "data");
            string filler = Path.Combine(mount, "filler");
            await File.WriteAllBytesAsync(filler, new byte[24 * 1024 * 1024]);
            var content = RandomNumberGenerator.GetBytes(40 * 1024 * 1024);
            using var appliance = new TestAppliance(dataDirectory: data, configure: o => o with { MinFreeBytes = 16 * 1024 * 1024 });
            var (_, aliceConn) = await NewUserAsync(appliance, "alice");
            var (bob, bobConn) = await NewUserAsync(appliance, "bob");
            await using var _a = aliceConn;
            await using var _b = bobConn;
            await BefriendAsync(aliceConn, bob, bobConn);

            var full = await Assert.ThrowsAsync<OcErrorException>(() => OcFiles.UploadAsync(aliceConn, bob, "big.bin", new MemoryStream(content)));
            Assert.Equal(ErrorCode.StorageFailure, full.Code);
            Assert.Contains("No space left", full.Message, StringComparison.Ordinal);
            var partial = Assert.Single(await OcFiles.ListAsync(aliceConn));
            Assert.Equal(FileState.Uploading, partial.State);
            Assert.True(partial.Stored > 0, "the bytes stored before the disk filled are kept");
            Assert.Empty(await OcFiles.ListAsync(bobConn));

            File.Delete(filler);
            var offsets = new List<long>();
            ulong id = await OcFiles.UploadAsync(aliceConn, bob, "big.bin", new MemoryStream(content), new Reporter(p => offsets.Add(p.Done)));
            Assert.Equal(partial.FileId, id);
            Assert.Equal((long)partial.Stored, offsets[0]);
            using var got = new MemoryStream();
            await OcFiles.DownloadAsync(bobConn, id, got);
            Assert.Equal(content, got.ToArray());
        }
        finally
        {
            Exec("umount", "-l", mount);
            TempDirectory.Delete(mount);
        }
    }

    private static int Exec(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private sealed class Reporter(Action<FileTransferProgress> report) : IProgress<FileTransferProgress>
    {
        public void Report(FileTransferProgress value) => report(value);
    }
}

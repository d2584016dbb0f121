using OC.Protocol.Client;
using OC.Tests.Integration;
using Xunit.Abstractions;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Storage;

/// <summary>
/// The data folder is private whatever the umask: this test process keeps its own (022 as a rule),
/// which is the appliance started by hand, in-process, where only the explicit modes hold.
/// </summary>
public sealed class PrivateFilesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_new_data_folder_is_0700_and_every_file_in_it_has_no_group_or_other_bits()
    {
        if (OperatingSystem.IsWindows()) return;
        using var parent = new TempDirectory();
        // Not there yet: the appliance creates it, as on a first start by hand.
        var data = parent.Sub("data");
        using (var appliance = new TestAppliance(dataDirectory: data))
        {
            var (_, aliceConn) = await NewUserAsync(appliance, "alice");
            var (bob, bobConn) = await NewUserAsync(appliance, "bob");
            await using var _a = aliceConn;
            await using var _b = bobConn;
            await BefriendAsync(aliceConn, bob, bobConn);
            await SendAsync(aliceConn, bob, "private");
            ulong id = await OcFiles.UploadAsync(aliceConn, bob, "note.txt", new MemoryStream("secret"u8.ToArray()));

            // While it runs: oc-log.db exists only until LiteDB's close.
            var running = DataFolderModes.AssertPrivate(data);
            output.WriteLine($"umask {DataFolderModes.ProcessUmask()}, running: {string.Join(", ", running)}");
            string file = Path.Combine("files", id.ToString("x16"));
            foreach (var name in new[] { "oc.db", "oc-log.db", "messages.log", "files", file, file + ".meta" })
                Assert.Contains(running, e => e.StartsWith(name + " ", StringComparison.Ordinal));
        }
        output.WriteLine($"stopped: {string.Join(", ", DataFolderModes.AssertPrivate(data))}");
    }
}

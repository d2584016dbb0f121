using System.Diagnostics;
using OC.Protocol.Client;
using OC.Tests.Integration;
using OC.Tests.Storage;
using Xunit.Abstractions;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.EndToEnd;

/// <summary>
/// oc-appliance started by hand, as the README shows, from a shell whose umask is 022: its data
/// folder and files are private all the same (it sets umask 077 itself).
/// </summary>
public sealed class PrivateFilesProcessTests(ITestOutputHelper output)
{
    /// <summary>`/bin/sh -c 'umask 022; exec oc-appliance ARGS'`: exec keeps the pid, so SIGTERM reaches the appliance.</summary>
    private static ProcessStartInfo UnderUmask022(IEnumerable<string> args)
    {
        var inner = ApplianceProcess.Command(args);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in (string[])["-c", "umask 022; exec \"$0\" \"$@\"", inner.FileName, .. inner.ArgumentList]) start.ArgumentList.Add(arg);
        return start;
    }

    [Fact]
    public async Task Started_by_hand_under_umask_022_the_data_folder_is_0700_and_its_files_0600()
    {
        if (OperatingSystem.IsWindows()) return;
        using var parent = new OC.Tests.Storage.TempDirectory();
        var data = parent.Sub("data");
        using (var appliance = ApplianceProcess.Run(UnderUmask022, data))
        {
            await using var alice = await appliance.ConnectAsync();
            await using var bob = await appliance.ConnectAsync();
            uint aliceNumber = await TestUsers.RegisterAsync(alice, "alice", "pw");
            uint bobNumber = await TestUsers.RegisterAsync(bob, "bob", "pw");
            await TestUsers.LoginAsync(alice, aliceNumber, "pw");
            await TestUsers.LoginAsync(bob, bobNumber, "pw");
            await BefriendAsync(alice, bobNumber, bob);
            await SendAsync(alice, bobNumber, "private");
            ulong id = await OcFiles.UploadAsync(alice, bobNumber, "note.txt", new MemoryStream("secret"u8.ToArray()));

            var running = DataFolderModes.AssertPrivate(data);
            output.WriteLine("running: " + string.Join(", ", running));
            string file = Path.Combine("files", id.ToString("x16"));
            foreach (var name in new[] { "oc.db", "oc-log.db", "messages.log", "files", file, file + ".meta" })
                Assert.Contains(running, e => e.StartsWith(name + " ", StringComparison.Ordinal));

            Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
            Assert.DoesNotContain("storage.folder_mode", appliance.Log, StringComparison.Ordinal);
        }
        output.WriteLine("stopped: " + string.Join(", ", DataFolderModes.AssertPrivate(data)));
    }

    [Fact]
    public async Task An_existing_data_folder_open_to_others_is_logged_once_and_left_as_the_owner_made_it()
    {
        if (OperatingSystem.IsWindows()) return;
        using var parent = new OC.Tests.Storage.TempDirectory();
        var data = parent.Sub("data");
        const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(data, Mode0755);
        File.SetUnixFileMode(data, Mode0755); // whatever this process's umask

        using var appliance = ApplianceProcess.Run(UnderUmask022, data);
        await using (var connection = await appliance.ConnectAsync())
        {
            await TestUsers.RegisterAsync(connection, "carol", "pw");
        }
        var warnings = appliance.Log.Split('\n').Where(l => l.Contains("storage.folder_mode", StringComparison.Ordinal)).ToList();
        output.WriteLine(string.Join("\n", warnings));
        var warning = Assert.Single(warnings);
        Assert.Contains(" WRN storage.folder_mode: ", warning, StringComparison.Ordinal);
        Assert.Contains("0755", warning, StringComparison.Ordinal);

        // The folder keeps the owner's mode; what the appliance puts in it is private.
        Assert.Equal(Mode0755, File.GetUnixFileMode(data));
        foreach (var path in Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories))
        {
            var mode = File.GetUnixFileMode(path);
            Assert.True((mode & (UnixFileMode)0b000_111_111) == 0, $"{path} is {Convert.ToString((int)mode, 8)}");
        }
        Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
    }
}

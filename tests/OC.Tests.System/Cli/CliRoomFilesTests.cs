using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>
/// `oc file send '#ROOM'|--room`, `oc file list --room` and `oc file get` of a room file, as
/// processes: four users in four config folders, three of them members of one open room.
/// </summary>
public sealed partial class CliRoomFilesTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for room files";
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();
    private readonly TempFolder _carol = new();
    private readonly TempFolder _dave = new();
    private readonly TempFolder _work = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        _carol.Dispose();
        _dave.Dispose();
        _work.Dispose();
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    [GeneratedRegex(@"^Created room (#\d{6}) ")]
    private static partial Regex CreatedText();

    private static Task<OcRun> Oc(TempFolder config, params string[] args) => OcProcess.RunAsync(config.Path, null, null, args);

    private async Task<string> RegisterAndLoginAsync(TempFolder config, string nick)
    {
        var register = await OcProcess.RunAsync(config.Path, Password + "\n", null, "register", "--server", appliance.Server, "--nick", nick, "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        var login = await OcProcess.RunAsync(config.Path, Password + "\n", null, "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return number;
    }

    private static JsonElement LastJson(OcRun run)
    {
        string line = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static void AssertFailure(OcRun run, string message)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("oc: " + message, run.Stderr, StringComparison.Ordinal);
    }

    private static async Task<byte[]> HashAsync(string path)
    {
        await using var f = File.OpenRead(path);
        return await SHA256.HashDataAsync(f);
    }

    [Fact]
    public async Task A_room_file_sent_killed_mid_way_resumes_and_every_member_gets_it_and_a_stranger_is_refused()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        await RegisterAndLoginAsync(_bob, "bob");
        await RegisterAndLoginAsync(_carol, "carol");
        await RegisterAndLoginAsync(_dave, "dave");
        var created = await Oc(_alice, "room", "create", "Files", "--open");
        Assert.True(created.ExitCode == 0, created.ToString());
        string room = CreatedText().Match(created.Stdout).Groups[1].Value;
        Assert.Equal(7, room.Length);
        string roomId = room[1..];
        foreach (var member in new[] { _bob, _carol })
        {
            var join = await Oc(member, "room", "join", room);
            Assert.True(join.ExitCode == 0, join.ToString());
        }

        // Large enough that the first run is still sending when it is killed.
        const long size = 256L * 1024 * 1024;
        string source = Path.Combine(_work.Path, "large.bin");
        var buffer = new byte[4 * 1024 * 1024];
        await using (var f = File.Create(source))
        {
            for (long left = size; left > 0; left -= buffer.Length)
            {
                RandomNumberGenerator.Fill(buffer);
                await f.WriteAsync(buffer);
            }
        }

        await using (var first = RunningOc.Start(_alice.Path, "file", "send", room, source, "--json"))
        {
            await first.StdoutLineAsync(line => JsonDocument.Parse(line).RootElement.GetProperty("done").GetInt64() > 0);
            // DisposeAsync kills the process (SIGKILL) mid-upload.
        }

        var again = await Oc(_alice, "file", "send", "--room", roomId, source, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        using (var firstLine = JsonDocument.Parse(again.Stdout.Split('\n')[0]))
        {
            Assert.True(firstLine.RootElement.GetProperty("done").GetInt64() > 0, "the second run resumes where the appliance is");
        }
        var sent = LastJson(again);
        string id = sent.GetProperty("fileId").GetString()!;
        Assert.Equal(("complete", uint.Parse(roomId), 0u), (sent.GetProperty("state").GetString(), sent.GetProperty("room").GetUInt32(), sent.GetProperty("to").GetUInt32()));

        // Every member lists it in the room and gets it, byte-identical.
        var listed = await Oc(_bob, "file", "list", "--room", room);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches($@"^{id}  {alice} -> {room}\s+256\.0 MiB  complete\s+large\.bin\n$", listed.Stdout);
        var listedJson = await Oc(_carol, "file", "list", "--room", roomId, "--json");
        Assert.True(listedJson.ExitCode == 0, listedJson.ToString());
        var file = Assert.Single(LastJson(listedJson).GetProperty("files").EnumerateArray());
        Assert.Equal((id, uint.Parse(roomId)), (file.GetProperty("fileId").GetString(), file.GetProperty("room").GetUInt32()));

        byte[] expected = await HashAsync(source);
        foreach (var (member, name) in new[] { (_bob, "bob.copy"), (_carol, "carol.copy") })
        {
            string target = Path.Combine(_work.Path, name);
            var get = await Oc(member, "file", "get", id, "-o", target);
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Equal(expected, await HashAsync(target));
        }

        // A stranger to the room: refused on the list, the download and a send.
        AssertFailure(await Oc(_dave, "file", "list", "--room", room), $"you are not a member of room {room}");
        AssertFailure(await Oc(_dave, "file", "get", id, "-o", Path.Combine(_work.Path, "dave.copy")), $"no file {id} for you");
        string note = Path.Combine(_work.Path, "note.txt");
        await File.WriteAllTextAsync(note, "hello room");
        AssertFailure(await Oc(_dave, "file", "send", room, note), $"you are not a member of room {room}");
        Assert.False(File.Exists(Path.Combine(_work.Path, "dave.copy")));

        // A member's small file, sent with #ROOM, is in the room's list after the first.
        var small = await Oc(_carol, "file", "send", room, note);
        Assert.True(small.ExitCode == 0, small.ToString());
        Assert.Matches($@"^Sent note\.txt \(10 B\) to {room} as file [0-9a-f]{{16}}\.\n$", small.Stdout);
        var both = await Oc(_alice, "file", "list", "--room", room, "--json");
        Assert.Equal(["large.bin", "note.txt"], LastJson(both).GetProperty("files").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
    }
}

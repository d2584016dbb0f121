using OC.CliClient;
using OC.CliClient.Config;

namespace OC.Tests.Cli;

public sealed class SessionStoreTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static Session NewSession(uint number = 123456) =>
        new(number, "alice", "[::1]:7001", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void A_saved_session_reads_back_unchanged()
    {
        using var temp = new TempFolder();
        var store = new SessionStore(new ConfigFolder(Path.Combine(temp.Path, "oc")));
        Assert.Null(store.Load());

        var session = NewSession();
        store.Save(session);
        var loaded = store.Load();

        Assert.NotNull(loaded);
        Assert.Equal(session.OcNumber, loaded.OcNumber);
        Assert.Equal(session.Nick, loaded.Nick);
        Assert.Equal(session.Server, loaded.Server);
        Assert.Equal(session.Token, loaded.Token);
    }

    [Fact]
    public void The_session_file_has_mode_0600()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TempFolder();
        var store = new SessionStore(new ConfigFolder(Path.Combine(temp.Path, "oc")));
        store.Save(NewSession());
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(store.Path));
    }

    [Fact]
    public void Replacing_a_readable_session_file_or_a_stale_temporary_file_still_gives_mode_0600()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TempFolder();
        var store = new SessionStore(new ConfigFolder(temp.Path));
        const UnixFileMode everyoneReads = OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.WriteAllText(store.Path, "{}");
        File.SetUnixFileMode(store.Path, everyoneReads);
        File.WriteAllText(store.Path + ".tmp", "left by a crash");
        File.SetUnixFileMode(store.Path + ".tmp", everyoneReads);

        store.Save(NewSession(654321));

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(store.Path));
        Assert.False(File.Exists(store.Path + ".tmp"));
        Assert.Equal(654321u, store.Load()!.OcNumber);
    }

    [Fact]
    public void The_file_holds_the_fields_by_name_with_the_token_in_base64()
    {
        using var temp = new TempFolder();
        var store = new SessionStore(new ConfigFolder(temp.Path));
        var session = NewSession();
        store.Save(session);

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(store.Path));
        var root = json.RootElement;
        Assert.Equal(123456u, root.GetProperty("ocNumber").GetUInt32());
        Assert.Equal("alice", root.GetProperty("nick").GetString());
        Assert.Equal("[::1]:7001", root.GetProperty("server").GetString());
        Assert.Equal(Convert.ToBase64String(session.Token), root.GetProperty("token").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"ocNumber":123456,"nick":"a","server":"h:1","token":"AAAA"}""")]
    [InlineData("""{"ocNumber":123456,"nick":"a","server":"h:0","token":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="}""")]
    public void A_damaged_session_file_is_an_error_that_names_the_file(string contents)
    {
        using var temp = new TempFolder();
        var store = new SessionStore(new ConfigFolder(temp.Path));
        File.WriteAllText(store.Path, contents);
        var e = Assert.Throws<CliException>(store.Load);
        Assert.Contains(store.Path, e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, e.ExitCode);
    }

    [Fact]
    public void Delete_says_whether_there_was_a_session()
    {
        using var temp = new TempFolder();
        var store = new SessionStore(new ConfigFolder(temp.Path));
        Assert.False(store.Delete());
        store.Save(NewSession());
        Assert.True(store.Delete());
        Assert.Null(store.Load());
    }
}

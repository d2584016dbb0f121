using OC.CliClient.Config;

namespace OC.Tests.Cli;

public sealed class ConfigFolderTests
{
    private const string Home = "/home/alice";

    private static ConfigFolder Locate(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return ConfigFolder.Locate(name => map.GetValueOrDefault(name), Home);
    }

    [Fact]
    public void OC_CONFIG_DIR_wins_over_XDG_CONFIG_HOME()
    {
        Assert.Equal("/tmp/oc-test", Locate(("OC_CONFIG_DIR", "/tmp/oc-test"), ("XDG_CONFIG_HOME", "/xdg")).Path);
    }

    [Fact]
    public void XDG_CONFIG_HOME_gets_an_oc_folder()
    {
        Assert.Equal(Path.Combine("/xdg", "oc"), Locate(("XDG_CONFIG_HOME", "/xdg")).Path);
    }

    [Fact]
    public void Without_variables_the_folder_is_dot_config_oc_in_the_home_folder()
    {
        Assert.Equal(Path.Combine(Home, ".config", "oc"), Locate().Path);
    }

    [Fact]
    public void Empty_variables_count_as_unset()
    {
        Assert.Equal(Path.Combine(Home, ".config", "oc"), Locate(("OC_CONFIG_DIR", ""), ("XDG_CONFIG_HOME", "")).Path);
    }

    [Fact]
    public void A_relative_XDG_CONFIG_HOME_is_ignored_as_the_XDG_spec_asks()
    {
        Assert.Equal(Path.Combine(Home, ".config", "oc"), Locate(("XDG_CONFIG_HOME", "relative/dir")).Path);
    }

    [Fact]
    public void A_relative_OC_CONFIG_DIR_is_made_absolute()
    {
        Assert.Equal(Path.GetFullPath("rel"), Locate(("OC_CONFIG_DIR", "rel")).Path);
    }

    [Fact]
    public void The_folder_is_created_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TempFolder();
        var folder = new ConfigFolder(Path.Combine(temp.Path, "nested", "oc"));
        folder.Create();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder.Path));
    }

    [Fact]
    public void The_last_server_is_remembered_and_read_back()
    {
        using var temp = new TempFolder();
        var folder = new ConfigFolder(Path.Combine(temp.Path, "oc"));
        Assert.Null(folder.ReadLastServer());
        folder.RememberServer(new ServerAddress("::1", 7001));
        Assert.Equal(new ServerAddress("::1", 7001), folder.ReadLastServer());
    }

    [Fact]
    public void A_damaged_last_server_file_counts_as_none()
    {
        using var temp = new TempFolder();
        var folder = new ConfigFolder(temp.Path);
        File.WriteAllText(folder.LastServerFile, "host:notaport\n");
        Assert.Null(folder.ReadLastServer());
    }
}

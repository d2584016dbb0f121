using OC.CliClient;
using OC.CliClient.Config;

namespace OC.Tests.Cli;

public sealed class ServerAddressTests
{
    [Theory]
    [InlineData("192.168.1.20", "192.168.1.20", 6677, "192.168.1.20:6677")]
    [InlineData("192.168.1.20:7001", "192.168.1.20", 7001, "192.168.1.20:7001")]
    [InlineData("oc-box.local", "oc-box.local", 6677, "oc-box.local:6677")]
    [InlineData("localhost:1", "localhost", 1, "localhost:1")]
    [InlineData("  appliance:65535 ", "appliance", 65535, "appliance:65535")]
    [InlineData("[::1]", "::1", 6677, "[::1]:6677")]
    [InlineData("[::1]:7001", "::1", 7001, "[::1]:7001")]
    [InlineData("[fd00::20]:6677", "fd00::20", 6677, "[fd00::20]:6677")]
    [InlineData("fd00::20", "fd00::20", 6677, "[fd00::20]:6677")]
    [InlineData("::1", "::1", 6677, "[::1]:6677")]
    [InlineData("[FD00:0:0::20]:80", "fd00::20", 80, "[fd00::20]:80")]
    public void Valid_addresses_parse_with_the_default_port_when_none_is_given(string text, string host, int port, string shown)
    {
        Assert.True(ServerAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(shown, address.ToString());
        Assert.True(ServerAddress.TryParse(address.ToString(), out var again, out _));
        Assert.Equal(address, again);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("host:0", "not a port number")]
    [InlineData("host:65536", "not a port number")]
    [InlineData("host:99999", "not a port number")]
    [InlineData("host:-1", "not a port number")]
    [InlineData("host:+80", "not a port number")]
    [InlineData("host:http", "not a port number")]
    [InlineData("host:", "not a port number")]
    [InlineData("host:123456", "not a port number")]
    [InlineData(":6677", "no host name")]
    [InlineData("[::1", "without ']'")]
    [InlineData("[::1]6677", "after ']'")]
    [InlineData("[::1]:", "not a port number")]
    [InlineData("[::1]:70000", "not a port number")]
    [InlineData("[192.168.1.1]:80", "not an IPv6 address")]
    [InlineData("[nonsense]", "not an IPv6 address")]
    [InlineData("fd00::20:6677:x", "[ADDR]:PORT")]
    [InlineData("host name", "not a host name")]
    [InlineData("a/b:80", "not a host name")]
    public void Bad_addresses_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(ServerAddress.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_names_compare_without_case()
    {
        Assert.True(new ServerAddress("Box.Local", 6677).SameAs(new ServerAddress("box.local", 6677)));
        Assert.False(new ServerAddress("box.local", 6677).SameAs(new ServerAddress("box.local", 6678)));
    }

    [Fact]
    public void Server_option_wins_over_the_variable_and_the_remembered_server()
    {
        var chosen = ServerChoice.Resolve("a:1", "b:2", () => new ServerAddress("c", 3));
        Assert.Equal(new ServerAddress("a", 1), chosen);
    }

    [Fact]
    public void Variable_wins_over_the_remembered_server()
    {
        Assert.Equal(new ServerAddress("b", 2), ServerChoice.Resolve(null, "b:2", () => new ServerAddress("c", 3)));
    }

    [Fact]
    public void Remembered_server_is_used_when_nothing_else_names_one()
    {
        Assert.Equal(new ServerAddress("c", 3), ServerChoice.Resolve(null, "  ", () => new ServerAddress("c", 3)));
    }

    [Fact]
    public void No_server_at_all_is_a_usage_error_that_says_what_to_do()
    {
        var e = Assert.Throws<CliException>(() => ServerChoice.Resolve(null, null, () => null));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal("no appliance given: use --server HOST[:PORT] or set OC_SERVER", e.Message);
    }

    [Fact]
    public void A_bad_OC_SERVER_is_a_usage_error_naming_the_variable()
    {
        var e = Assert.Throws<CliException>(() => ServerChoice.Resolve(null, "host:0", () => null));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.StartsWith("OC_SERVER: ", e.Message, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using OC.CliClient.Terminal;

namespace OC.Tests.Cli;

/// <summary>The --json shapes are a contract with scripts: these tests pin the field names and types.</summary>
public sealed class JsonOutputTests
{
    private static JsonElement Print<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var writer = new StringWriter();
        new Output(writer, json: true).Result(value, type, "text that must not appear");
        string printed = writer.ToString();
        Assert.EndsWith("\n", printed, StringComparison.Ordinal);
        Assert.Single(printed.TrimEnd().Split('\n')); // One line, for line-oriented tools.
        using var document = JsonDocument.Parse(printed);
        return document.RootElement.Clone();
    }

    private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Register_prints_number_nick_email_and_server()
    {
        var json = Print(new RegisteredOutput(123456, "alice", "a@example.org", "[::1]:7001"), OutputJsonContext.Default.RegisteredOutput);
        Assert.Equal(["ocNumber", "nick", "email", "server"], Names(json));
        Assert.Equal(123456, json.GetProperty("ocNumber").GetInt32());
        Assert.Equal("[::1]:7001", json.GetProperty("server").GetString());
    }

    [Fact]
    public void Login_prints_number_nick_server_and_the_friend_requests_waiting()
    {
        var json = Print(new LoggedInOutput(123456, "alice", "h:1", 2), OutputJsonContext.Default.LoggedInOutput);
        Assert.Equal(["ocNumber", "nick", "server", "friendRequests"], Names(json));
        Assert.Equal(2, json.GetProperty("friendRequests").GetInt32());
    }

    [Fact]
    public void Friend_requests_and_blocks_print_their_documented_fields()
    {
        var requests = Print(new FriendRequestsOutput([new FriendRequestOutput(654321, "bob", DateTimeOffset.UnixEpoch, "incoming")]),
            OutputJsonContext.Default.FriendRequestsOutput);
        Assert.Equal(["ocNumber", "nick", "time", "direction"], Names(requests.GetProperty("requests")[0]));
        var change = Print(new FriendChangeOutput(654321, false, "bob", RequestWaiting: true), OutputJsonContext.Default.FriendChangeOutput);
        Assert.Equal(["ocNumber", "friend", "nick", "requestWaiting"], Names(change));
        Assert.Equal(["ocNumber", "blocked"], Names(Print(new BlockOutput(654321, true), OutputJsonContext.Default.BlockOutput)));
        var blocked = Print(new BlockedOutput([new BlockedUserOutput(654321, "bob", DateTimeOffset.UnixEpoch)]), OutputJsonContext.Default.BlockedOutput);
        Assert.Equal(["ocNumber", "nick", "since"], Names(blocked.GetProperty("blocked")[0]));
        var live = Print(new FriendRequestEventOutput(654321, "bob", DateTimeOffset.UnixEpoch), OutputJsonContext.Default.FriendRequestEventOutput);
        Assert.Equal(["type", "ocNumber", "nick", "time"], Names(live));
        Assert.Equal("friendRequest", live.GetProperty("type").GetString());
    }

    [Fact]
    public void Logout_prints_number_server_and_whether_the_session_was_still_valid()
    {
        var json = Print(new LoggedOutOutput(123456, "h:1", true), OutputJsonContext.Default.LoggedOutOutput);
        Assert.Equal(["ocNumber", "server", "sessionWasValid", "everywhere"], Names(json));
        Assert.Equal(JsonValueKind.True, json.GetProperty("sessionWasValid").ValueKind);
        Assert.Equal(JsonValueKind.False, json.GetProperty("everywhere").ValueKind);
    }

    [Fact]
    public void Sessions_prints_each_session_with_its_id_device_address_times_and_flags()
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
        var json = Print(new SessionsOutput([new SessionOutput("0a1b2c3d", "laptop", "192.0.2.7", created, created.AddHours(1), true, false)]),
            OutputJsonContext.Default.SessionsOutput);
        var session = Assert.Single(json.GetProperty("sessions").EnumerateArray().ToList());
        Assert.Equal(["id", "device", "address", "created", "lastUsed", "current", "connected"], Names(session));
        Assert.Equal("2025-06-15T15:06:40+00:00", session.GetProperty("created").GetString());
        Assert.Equal(JsonValueKind.True, session.GetProperty("current").ValueKind);
    }

    [Fact]
    public void Whoami_prints_the_creation_time_as_iso_8601()
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
        var json = Print(new WhoAmIOutput(123456, "alice", "", "h:1", created), OutputJsonContext.Default.WhoAmIOutput);
        Assert.Equal(["ocNumber", "nick", "email", "server", "created"], Names(json));
        Assert.Equal("2025-06-15T15:06:40+00:00", json.GetProperty("created").GetString());
        Assert.Equal(created, json.GetProperty("created").GetDateTimeOffset());
    }

    [Fact]
    public void Text_mode_prints_the_text()
    {
        using var writer = new StringWriter();
        new Output(writer, json: false).Result(new LoggedInOutput(1, "a", "h:1"), OutputJsonContext.Default.LoggedInOutput, "Logged in.");
        Assert.Equal("Logged in." + Environment.NewLine, writer.ToString());
    }
}

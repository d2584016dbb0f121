using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>Issue 11, item 5: what the appliance refuses of nicknames and messages (TextRules); one poller is enough.</summary>
public sealed class TextHygieneTests
{
    private const string Poller = "epoll";

    [Theory]
    [InlineData("\u202Egnp.exe", "the nickname contains a bidirectional control character, U+202E")]
    [InlineData("ali\u200Bce", "the nickname contains an invisible formatting character, U+200B")]
    [InlineData("\u2067bob", "the nickname contains a bidirectional control character, U+2067")]
    public async Task A_nickname_with_a_bidi_or_invisible_character_is_refused_naming_it(string nick, string message)
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.RegisterAsync(connection, nick, "pw"));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task A_nickname_is_stored_trimmed_and_emoji_are_fine()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, "  Zoë 🦊 ", "pw");
        await TestUsers.LoginAsync(connection, number, "pw");
        Assert.Equal("Zoë 🦊", (await TestUsers.WhoAmIAsync(connection)).Nick);
    }

    [Fact]
    public async Task A_decomposed_nickname_is_stored_in_nfc_so_both_spellings_find_one_name()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        // "Renée" as e + U+0301 (as some keyboards and macOS file names send it).
        uint number = await TestUsers.RegisterAsync(connection, "Rene\u0301e", "pw");
        await TestUsers.LoginAsync(connection, number, "pw");
        Assert.Equal("Ren\u00e9e", (await TestUsers.WhoAmIAsync(connection)).Nick);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData(" \t\r\n ")]
    [InlineData("\u3000\u00A0")]
    public async Task A_whitespace_only_message_is_refused_as_empty(string text)
    {
        using var appliance = new TestAppliance(Poller);
        var (_, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await BefriendAsync(aliceConn, bob, bobConn);

        var e = await Assert.ThrowsAsync<OcErrorException>(() => SendAsync(aliceConn, bob, text)); // Raw SEND: no client check.
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal("the message is empty", e.Message);

        // What the sender typed is kept: spaces around text, and a right-to-left override inside it.
        var sent = await SendAsync(aliceConn, bob, "  a \u202Egnp.exe ");
        Assert.True(sent.Seq >= 1);
    }
}

using OC.Appliance.Admin;
using OC.CliClient;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Cli;

/// <summary>The pieces of oc sessions, oc passwd and oc-appliance user that need no appliance.</summary>
public sealed class SessionPiecesTests
{
    private static CliEnvironment Stdin(string text) => new(_ => null, () => new StringReader(text), TextWriter.Null, TextWriter.Null, false, "/nonexistent");

    [Theory]
    [InlineData("0a1b2c3d", 0x0a1b2c3du)]
    [InlineData("7FFFFFFF", 0x7fffffffu)]
    [InlineData("1", 1u)]
    public void Session_ids_are_up_to_eight_hex_digits(string text, uint expected)
    {
        Assert.True(SessionsCommand.TryParseId(text, out uint id));
        Assert.Equal(expected, id);
        Assert.Equal(expected.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), SessionsCommand.FormatId(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("123456789")]
    [InlineData("0x12")]
    [InlineData("not-hex")]
    [InlineData("-1")]
    public void Anything_else_is_not_a_session_id(string text) => Assert.False(SessionsCommand.TryParseId(text, out _));

    [Fact]
    public void The_session_table_marks_this_session_and_says_connected_for_one_in_use()
    {
        var created = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        string text = SessionsCommand.Format([
            new SessionOutput("3f9a2c1b", "laptop", "192.168.1.23", created, created.AddDays(1), Current: true, Connected: true),
            new SessionOutput("0a1b2c3d", "", "fd00::40", created, created.AddDays(2).AddMinutes(13), Current: false, Connected: false),
        ]);

        Assert.Equal("""
              ID        DEVICE     ADDRESS       CREATED (UTC)     LAST USED (UTC)
            * 3f9a2c1b  laptop     192.168.1.23  2025-06-01 12:00  connected
              0a1b2c3d  (unnamed)  fd00::40      2025-06-01 12:00  2025-06-03 12:13
            * this session
            """.ReplaceLineEndings("\n"), text);
        Assert.Equal("No sessions.", SessionsCommand.Format([]));
    }

    [Fact]
    public void Passwd_reads_the_current_and_the_new_password_from_two_lines_of_stdin()
    {
        Assert.Equal(("old one", "new one"), PasswordReader.ReadChange(Stdin("old one\nnew one\n"), fromStdin: true));

        var missing = Assert.Throws<CliException>(() => PasswordReader.ReadChange(Stdin("old one\n"), fromStdin: true));
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        var empty = Assert.Throws<CliException>(() => PasswordReader.ReadChange(Stdin("old one\n\n"), fromStdin: true));
        Assert.Equal("the new password is empty", empty.Message);
        var terminal = Assert.Throws<CliException>(() => PasswordReader.ReadChange(Stdin(""), fromStdin: false));
        Assert.Contains("--password-stdin", terminal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_host_name_becomes_a_valid_device_name_and_a_given_one_is_trimmed()
    {
        Assert.True(TextRules.TryValidateDevice(LoginCommand.DeviceName(null), out _, out _));
        Assert.Equal("office laptop", LoginCommand.DeviceName("  office laptop "));
        Assert.False(TextRules.TryValidateDevice("tab\there", out _, out string error));
        Assert.Equal("the device name contains a control character, U+0009", error);
        Assert.False(TextRules.TryValidateDevice(new string('x', 65), out _, out _));
        Assert.True(TextRules.TryValidateDevice("", out _, out _));
    }

    [Fact]
    public void A_session_the_appliance_ended_is_not_retried_and_says_why()
    {
        var ended = new OcConnectionException("this session was revoked; log in again",
            new OcErrorException(new ErrorReply(ErrorCode.SessionEnded, 0, "this session was revoked; log in again")));

        Assert.False(ApplianceLink.IsTransient(ended));
        Assert.True(ApplianceLink.IsTransient(new OcConnectionException("the appliance closed the connection")));
        Assert.Equal(("the appliance ended this session: this session was revoked; log in again", ExitCodes.Failure), ErrorReport.Describe(ended));
        Assert.True(ErrorCode.SessionEnded.ClosesConnection());
        Assert.False(ErrorCode.SessionNotFound.ClosesConnection());
    }

    [Fact]
    public void A_made_up_password_is_four_groups_of_four_without_look_alikes()
    {
        var passwords = Enumerable.Range(0, 100).Select(_ => UserCommand.RandomPassword()).ToList();

        Assert.All(passwords, p => Assert.Matches("^[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){3}$", p));
        Assert.Equal(100, passwords.Distinct().Count());
    }
}

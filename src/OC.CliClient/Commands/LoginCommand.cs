using System.CommandLine;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary><c>oc login NUMBER [--device NAME] [--password-stdin]</c>: logs in with SCRAM and saves the session token.</summary>
internal static class LoginCommand
{
    public const string MoreHelp = """
        Notes:
          The password never crosses the network (SCRAM-SHA-256), and the appliance must prove that it
          knows your account before oc trusts it. The session token is saved in session.json in the
          config folder (mode 0600) and replaces any earlier session. The appliance records the session
          with the device name (--device, by default this machine's host name), your address and when
          it was last used: oc sessions lists them. A session unused for 30 days (the appliance's
          --session-ttl) expires.
          Nothing is sent to an appliance whose certificate oc does not trust: the first connection
          shows its fingerprint and asks (without a terminal: --trust FINGERPRINT or --trust-first-use),
          and a certificate other than the trusted one is refused with a warning (see oc --help).

        Output:
          text    Logged in as alice (OC number 123456) on 192.168.1.20:6677.
                  2 friend requests are waiting: oc friends requests   (when there are any)
          --json  {"ocNumber":123456,"nick":"alice","server":"192.168.1.20:6677","friendRequests":2}

        Examples:
          oc login 123456
          oc --server [fd00::20]:6677 login 123456
          oc login 123456 --device "office laptop"
          oc --server 192.168.1.20 --trust SHA256:vwVTWes7kehyK0DXhsZbRvH/Enl2nwly8CdinBu523M login 123456
          printf '%s\n' "$PASSWORD" | oc login 123456 --password-stdin --json
        """;

    public static Command Create(CommandHost host)
    {
        var number = new Argument<string>("NUMBER")
        {
            Description = "Your OC number, the six digits oc register printed",
        };
        number.Validators.Add(result =>
        {
            if (!OcNumber.TryParse(result.GetValueOrDefault<string>(), out _))
            {
                result.AddError($"'{result.GetValueOrDefault<string>()}' is not an OC number (six digits, 100000 to 999999)");
            }
        });
        var passwordStdin = PasswordOptions.Stdin();
        var device = DeviceOption();

        var command = new Command(
            "login",
            "Log in with your OC number and password, and keep the session for the other commands")
        {
            number, device, passwordStdin,
        };
        host.SetAction(command, (parse, context, cancellationToken) =>
        {
            OcNumber.TryParse(parse.GetValue(number), out var ocNumber); // Checked when parsing.
            return RunAsync(context, ocNumber, DeviceName(parse.GetValue(device)), parse.GetValue(passwordStdin), cancellationToken);
        });
        return command;
    }

    /// <summary><c>--device NAME</c>: what oc sessions shows for the session (default: the host name).</summary>
    internal static Option<string> DeviceOption()
    {
        var device = new Option<string>("--device")
        {
            Description = "A name for this device, shown by oc sessions (default: the host name)",
            HelpName = "NAME",
        };
        device.Validators.Add(result =>
        {
            if (!TextRules.TryValidateDevice(result.GetValueOrDefault<string>() ?? "", out _, out string error)) result.AddError("--device: " + error);
        });
        return device;
    }

    /// <summary>The device name to send: the one given (checked when parsing), else the host name as far as it is a valid one.</summary>
    internal static string DeviceName(string? given)
    {
        if (given is not null && TextRules.TryValidateDevice(given, out string valid, out _)) return valid;
        string host = System.Environment.MachineName;
        while (host.Length > 0 && !TextRules.TryValidateDevice(host, out _, out _)) host = host[..^1];
        return host.Trim();
    }

    /// <summary><see cref="OcNumber.TryParse(string?, out OcNumber)"/> as a uint (0 if it is not one), for oc chat's /to.</summary>
    internal static bool TryParseNumber(string? text, out uint number)
    {
        bool parsed = OcNumber.TryParse(text, out var ocNumber);
        number = ocNumber;
        return parsed;
    }

    private static async Task<int> RunAsync(CommandContext context, uint number, string device, bool passwordStdin, CancellationToken cancellationToken)
    {
        var server = await context.ResolveServerAsync(cancellationToken).ConfigureAwait(false);
        await context.SettleTrustAsync(server, cancellationToken).ConfigureAwait(false);
        string password = PasswordReader.Read(context.Environment, passwordStdin, confirm: false);
        var (loggedIn, friendRequests) = await LogInAsync(context, server, number, password, device, cancellationToken).ConfigureAwait(false);
        context.Output.Result(
            new LoggedInOutput(loggedIn.OcNumber, loggedIn.Nick, server.ToString(), friendRequests),
            OutputJsonContext.Default.LoggedInOutput,
            $"Logged in as {loggedIn.Nick} (OC number {loggedIn.OcNumber:D6}) on {server}."
                + (FriendRequestHint.Text(friendRequests) is { } hint ? Environment.NewLine + hint : ""));
        return ExitCodes.Success;
    }

    /// <summary>
    /// Logs in, saves the session and remembers the appliance; returns the login and the number of
    /// friend requests waiting. Shared by <c>oc login</c> and the login screen of <c>oc ui</c>.
    /// </summary>
    internal static async Task<(LoggedIn LoggedIn, int FriendRequests)> LogInAsync(
        CommandContext context, ServerAddress server, uint number, string password, string device, CancellationToken cancellationToken)
    {
        LoggedIn loggedIn;
        int friendRequests;
        await using (var link = await context.ConnectAsync(server, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                loggedIn = await link.CallAsync(
                    (connection, token) => OcAccounts.LoginAsync(connection, number, password, device, token),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
            {
                throw new CliException($"no user has OC number {number:D6}", e);
            }

            friendRequests = await FriendRequestHint.CountAsync(link, cancellationToken).ConfigureAwait(false);
        }

        context.Sessions.Save(new Session(loggedIn.OcNumber, loggedIn.Nick, server.ToString(), loggedIn.SessionToken));
        context.Config.RememberServer(server);
        return (loggedIn, friendRequests);
    }
}

using System.CommandLine;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary><c>oc passwd [--password-stdin]</c>: changes the password of the logged-in account; every other session ends.</summary>
internal static class PasswdCommand
{
    public const string MoreHelp = """
        Notes:
          Asks for the current password, then the new one twice (nothing is echoed). oc logs in with
          the current password first (the appliance allows a change only right after that), then
          sends the new password's SCRAM keys with a new salt: the password itself never crosses the
          network. Every other session of the account ends at once (oc sessions lists them); this oc
          stays logged in with a new session. --password-stdin reads two lines from stdin: the
          current password, then the new one.

        Output:
          text    Password changed for OC number 123456 on 192.168.1.20:6677; every other session has ended.
          --json  {"ocNumber":123456,"server":"192.168.1.20:6677"}

        Examples:
          oc passwd
          printf '%s\n%s\n' "$OLD" "$NEW" | oc passwd --password-stdin
        """;

    public static Command Create(CommandHost host)
    {
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read two lines from stdin, the current password and then the new one, instead of asking on the terminal",
        };
        var command = new Command("passwd", "Change your password; every other session of your account ends") { passwordStdin };
        host.SetAction(command, (parse, context, ct) => RunAsync(context, parse.GetValue(passwordStdin), ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, bool passwordStdin, CancellationToken cancellationToken)
    {
        // The number and the appliance of the saved session; the session itself need not be valid
        // any more, since the current password logs in afresh.
        var (session, server) = context.RequireSession();
        var (current, next) = PasswordReader.ReadChange(context.Environment, passwordStdin);
        if (current == next) throw CliException.Usage("the new password is the same as the current one");

        LoggedIn loggedIn;
        await using (var link = await context.ConnectAsync(server, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                loggedIn = await link.CallAsync(
                    (c, t) => OcAccounts.LoginAsync(c, session.OcNumber, current, LoginCommand.DeviceName(null), t), cancellationToken).ConfigureAwait(false);
            }
            catch (OcErrorException e) when (e.Code == ErrorCode.AuthenticationFailed)
            {
                throw new CliException("the current password is wrong", e);
            }
            catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
            {
                throw new CliException($"no user has OC number {session.OcNumber:D6} on {server} any more", e);
            }
            // PBKDF2 of the new password may take a moment on a slow machine: not under --timeout.
            var verifier = await OcAccounts.DeriveVerifierAsync(next, cancellationToken: cancellationToken).ConfigureAwait(false);
            await link.CallAsync((c, t) => OcAccounts.ChangePasswordAsync(c, verifier, t), cancellationToken).ConfigureAwait(false);
        }

        // The old session of this oc ended with the others: the new one takes its place.
        context.Sessions.Save(new Session(loggedIn.OcNumber, loggedIn.Nick, server.ToString(), loggedIn.SessionToken));
        context.Output.Result(
            new PasswordChangedOutput(loggedIn.OcNumber, server.ToString()),
            OutputJsonContext.Default.PasswordChangedOutput,
            $"Password changed for OC number {loggedIn.OcNumber:D6} on {server}; every other session has ended.");
        return ExitCodes.Success;
    }
}

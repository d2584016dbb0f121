using System.CommandLine;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;

namespace OC.CliClient.Commands;

/// <summary><c>oc logout [--all]</c>: ends the saved session (with --all, every session of the account) on the appliance, then deletes it locally.</summary>
internal static class LogoutCommand
{
    public const string MoreHelp = """
        Notes:
          If the appliance cannot be reached, the session file is kept, so that a later oc logout can
          still end the session there. Without a saved session: "not logged in", exit code 1.
          --all ends every session of your account, on every device (oc sessions lists them): each
          of them is logged out at once and must log in again. It needs this session to be valid.

        Output:
          text    Logged out (OC number 123456 on 192.168.1.20:6677).
                  Logged out everywhere (OC number 123456 on 192.168.1.20:6677).
          --json  {"ocNumber":123456,"server":"192.168.1.20:6677","sessionWasValid":true,"everywhere":false}

        Examples:
          oc logout
          oc logout --all
        """;

    public static Command Create(CommandHost host)
    {
        var all = new Option<bool>("--all")
        {
            Description = "End every session of your account, on every device, not only this one",
        };
        var command = new Command("logout", "End the saved session on the appliance and delete it here") { all };
        host.SetAction(command, (parse, context, cancellationToken) =>
            parse.GetValue(all) ? RunAllAsync(context, cancellationToken) : RunAsync(context, cancellationToken));
        return command;
    }

    /// <summary>LOGOUT_ALL: only a valid session may end the others, so an ended one is an error here.</summary>
    private static async Task<int> RunAllAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (session, _) = context.RequireSession();
        await using (var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false))
        {
            await link.CallAsync(OcAccounts.LogoutAllAsync, cancellationToken).ConfigureAwait(false);
            context.Sessions.Delete();
            context.Output.Result(
                new LoggedOutOutput(session.OcNumber, link.Server.ToString(), SessionWasValid: true, Everywhere: true),
                OutputJsonContext.Default.LoggedOutOutput,
                $"Logged out everywhere (OC number {session.OcNumber:D6} on {link.Server}).");
        }
        return ExitCodes.Success;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (session, server) = context.RequireSession();

        bool wasValid = true;
        await using (var link = await context.ConnectAsync(server, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await link.CallAsync((connection, token) => OcAccounts.ResumeAsync(connection, session.Token, token), cancellationToken).ConfigureAwait(false);
                await link.CallAsync(OcAccounts.LogoutAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (OcErrorException e) when (e.Code == ErrorCode.InvalidSession)
            {
                // Already over on the appliance: what is left to do is local.
                wasValid = false;
            }
        }

        context.Sessions.Delete();
        context.Output.Result(
            new LoggedOutOutput(session.OcNumber, server.ToString(), wasValid),
            OutputJsonContext.Default.LoggedOutOutput,
            wasValid
                ? $"Logged out (OC number {session.OcNumber:D6} on {server})."
                : $"Logged out (the session of OC number {session.OcNumber:D6} had already ended on {server}).");
        return ExitCodes.Success;
    }
}

using System.CommandLine;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;

namespace OC.CliClient.Commands;

/// <summary><c>oc logout</c>: ends the saved session on the appliance, then deletes it locally.</summary>
internal static class LogoutCommand
{
    public const string MoreHelp = """
        Notes:
          If the appliance cannot be reached, the session file is kept, so that a later oc logout can
          still end the session there. Without a saved session: "not logged in", exit code 1.

        Output:
          text    Logged out (OC number 123456 on 192.168.1.20:6677).
          --json  {"ocNumber":123456,"server":"192.168.1.20:6677","sessionWasValid":true}
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("logout", "End the saved session on the appliance and delete it here");
        host.SetAction(command, (_, context, cancellationToken) => RunAsync(context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (session, server) = context.RequireSession();

        bool wasValid = true;
        await using (var link = await ApplianceLink.ConnectAsync(server, context.Timeout, context.RateLimitWaits, cancellationToken).ConfigureAwait(false))
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

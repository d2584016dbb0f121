using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary><c>oc whoami</c>: resumes the saved session and shows the account.</summary>
internal static class WhoAmICommand
{
    public const string MoreHelp = """
        Notes:
          Uses the session saved by oc login, on the appliance that issued it. If the appliance no
          longer knows the session: "session expired; run oc login NUMBER", exit code 1.

        Output:
          text    OC number:  123456
                  Nick:       alice
                  E-mail:     alice@example.org
                  Server:     192.168.1.20:6677
                  Registered: 2025-06-01 12:00 UTC
          --json  {"ocNumber":123456,"nick":"alice","email":"alice@example.org",
                   "server":"192.168.1.20:6677","created":"2025-06-01T12:00:00+00:00"}
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command(
            "whoami",
            "Show the account you are logged in as: OC number, nick, e-mail, appliance");
        host.SetAction(command, (_, context, cancellationToken) => RunAsync(context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (session, server) = context.RequireSession();

        UserInfo info;
        await using (var link = await context.ConnectAsync(server, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await link.CallAsync((connection, token) => OcAccounts.ResumeAsync(connection, session.Token, token), cancellationToken).ConfigureAwait(false);
            }
            catch (OcErrorException e) when (e.Code == ErrorCode.InvalidSession)
            {
                // The token is dead for good (logged out, revoked or expired): keeping it helps nobody.
                context.Sessions.Delete();
                throw new CliException($"session expired; run oc login {session.OcNumber:D6}", e);
            }

            info = await link.CallAsync(OcAccounts.WhoAmIAsync, cancellationToken).ConfigureAwait(false);
        }

        var created = DateTimeOffset.FromUnixTimeSeconds(info.CreatedUnixSeconds);
        context.Output.Result(
            new WhoAmIOutput(info.OcNumber, info.Nick, info.Email, server.ToString(), created),
            OutputJsonContext.Default.WhoAmIOutput,
            string.Create(CultureInfo.InvariantCulture, $"""
                OC number:  {info.OcNumber:D6}
                Nick:       {info.Nick}
                E-mail:     {(info.Email.Length > 0 ? info.Email : "(none)")}
                Server:     {server}
                Registered: {created:yyyy-MM-dd HH:mm} UTC
                """));
        return ExitCodes.Success;
    }
}

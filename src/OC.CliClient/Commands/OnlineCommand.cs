using System.CommandLine;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc online</c>: everyone logged in on the appliance right now.</summary>
internal static class OnlineCommand
{
    public const string MoreHelp = """
        Output:
          text    123456  alice  online  friend
                  654321  bob    online
          --json  {"online":[{"ocNumber":123456,"nick":"alice","online":true,"friend":true}, ...]}
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("online", "List the users who are online on the appliance now (your friends marked)");
        host.SetAction(command, (_, context, ct) => RunAsync(context, ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var online = await link.CallAsync(OcFriends.OnlineAsync, cancellationToken).ConfigureAwait(false);
        var users = online.Select(u => new UserOutput(u.OcNumber, u.Nick, u.Online, u.Friend)).ToList();
        context.Output.Result(new OnlineOutput(users), OutputJsonContext.Default.OnlineOutput, UserLines.Format(users, "Nobody is online."));
        return ExitCodes.Success;
    }
}

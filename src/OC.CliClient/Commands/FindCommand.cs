using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc find NUMBER</c>: who has that OC number, and are they online.</summary>
internal static class FindCommand
{
    public const string MoreHelp = """
        Output:
          text    123456  alice  online  friend
          --json  {"ocNumber":123456,"nick":"alice","online":true,"friend":true}
        """;

    public static Command Create(CommandHost host)
    {
        var number = OcNumberArgument.Create("The OC number to look up");
        var command = new Command("find", "Look up a user by OC number: nickname, online or not, friend or not") { number };
        host.SetAction(command, (parse, context, ct) => RunAsync(context, OcNumberArgument.Parse(parse.GetValue(number)!), ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, uint number, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var card = await OcNumberArgument.NamingUnknownAsync(number,
            () => link.CallAsync((c, t) => OcFriends.FindAsync(c, number, t), cancellationToken)).ConfigureAwait(false);
        var user = new UserOutput(card.OcNumber, card.Nick, card.Online, card.Friend);
        context.Output.Result(user, OutputJsonContext.Default.UserOutput, UserLines.Format(user));
        return ExitCodes.Success;
    }
}

/// <summary>How users are shown as text: one aligned line each.</summary>
internal static class UserLines
{
    public static string Format(UserOutput user) => string.Create(CultureInfo.InvariantCulture,
        $"{user.OcNumber:D6}  {user.Nick}  {(user.Online ? "online" : "offline")}{(user.Friend ? "  friend" : "")}");

    public static string Format(IReadOnlyList<UserOutput> users, string empty)
    {
        if (users.Count == 0) return empty;
        int width = users.Max(u => u.Nick.Length);
        return string.Join(Environment.NewLine, users.Select(u => string.Create(CultureInfo.InvariantCulture,
            $"{u.OcNumber:D6}  {u.Nick.PadRight(width)}  {(u.Online ? "online" : "offline")}{(u.Friend ? "  friend" : "")}")));
    }
}

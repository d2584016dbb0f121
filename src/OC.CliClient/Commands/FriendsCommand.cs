using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc friends</c>, <c>oc friends add NUMBER</c>, <c>oc friends remove NUMBER</c>.</summary>
internal static class FriendsCommand
{
    public const string MoreHelp = """
        Notes:
          Friendship is mutual: adding someone makes you friends at once, and they are told.
          Only friends can chat with each other and see each other come online.

        Output:
          text    123456  alice  online
                  654321  bob    offline
          --json  {"friends":[{"ocNumber":123456,"nick":"alice","online":true,"friend":true}, ...]}

        Examples:
          oc friends
          oc friends add 654321
          oc friends remove 654321
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("friends", "List your friends and whether they are online; add or remove a friend");
        host.SetAction(command, (_, context, ct) => ListAsync(context, ct));

        var addNumber = OcNumberArgument.Create("The OC number of the new friend");
        var add = new Command("add", "Become friends with a user (mutual; they are told)") { addNumber };
        host.SetAction(add, (parse, context, ct) => ChangeAsync(context, OcNumberArgument.Parse(parse.GetValue(addNumber)!), add: true, ct));

        var removeNumber = OcNumberArgument.Create("The OC number of the friend to remove");
        var remove = new Command("remove", "End a friendship (both sides; they are told)") { removeNumber };
        host.SetAction(remove, (parse, context, ct) => ChangeAsync(context, OcNumberArgument.Parse(parse.GetValue(removeNumber)!), add: false, ct));

        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        return command;
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var friends = await link.CallAsync(OcFriends.ListAsync, cancellationToken).ConfigureAwait(false);
        var users = friends.Select(f => new UserOutput(f.OcNumber, f.Nick, f.Online, f.Friend)).ToList();
        context.Output.Result(new FriendsOutput(users), OutputJsonContext.Default.FriendsOutput,
            UserLines.Format(users, "No friends yet. Add one with: oc friends add NUMBER"));
        return ExitCodes.Success;
    }

    private static async Task<int> ChangeAsync(CommandContext context, uint number, bool add, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await OcNumberArgument.NamingUnknownAsync(number, () => link.CallAsync(async (c, t) =>
        {
            if (add) await OcFriends.AddAsync(c, number, t).ConfigureAwait(false);
            else await OcFriends.RemoveAsync(c, number, t).ConfigureAwait(false);
            return true;
        }, cancellationToken)).ConfigureAwait(false);
        context.Output.Result(new FriendChangeOutput(number, add), OutputJsonContext.Default.FriendChangeOutput,
            add ? string.Create(CultureInfo.InvariantCulture, $"{number:D6} is now your friend.")
                : string.Create(CultureInfo.InvariantCulture, $"{number:D6} is no longer your friend."));
        return ExitCodes.Success;
    }
}

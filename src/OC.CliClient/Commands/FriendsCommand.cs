using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary>
/// <c>oc friends</c>, <c>oc friends add|remove NUMBER</c>, <c>oc friends requests</c> and
/// <c>oc friends accept|decline NUMBER</c>.
/// </summary>
internal static class FriendsCommand
{
    public const string MoreHelp = """
        Notes:
          Friendship is mutual and asked for: oc friends add sends a friend request, which the other user
          sees (oc friends requests, oc listen, oc chat, and a line at oc login) and accepts or declines.
          Adding someone who asked you first accepts their request. An appliance started with
          --friends open skips the request: adding makes you friends at once (as in the original OC).
          Declining is silent: the asker is not told (their request just stops waiting).
          oc friends remove ends a friendship, or withdraws your request while it waits.
          Only friends can chat, send each other files and see each other come online.
          To stop someone's requests, messages and files altogether: oc block NUMBER.

        Output:
          text    123456  alice  online
                  654321  bob    offline
                  2 friend requests are waiting: oc friends requests
          --json  {"friends":[{"ocNumber":123456,"nick":"alice","online":true,"friend":true}, ...]}
          add     Friend request sent to bob (654321); you become friends when they accept.
                  bob (654321) is now your friend.   (they had asked you, or --friends open)
                  --json {"ocNumber":654321,"friend":false,"nick":"bob","requestWaiting":true}
          requests
                  654321  bob    asks you   2026-11-25 18:00
                  345678  carol  you asked  2026-11-25 18:01
                  --json {"requests":[{"ocNumber":654321,"nick":"bob","time":"2026-11-25T17:00:00+00:00","direction":"incoming"}, ...]}

        Examples:
          oc friends
          oc friends add 654321
          oc friends requests
          oc friends accept 654321
          oc friends decline 654321
          oc friends remove 654321
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("friends", "List your friends and whether they are online; add, accept, decline or remove a friend");
        host.SetAction(command, (_, context, ct) => ListAsync(context, ct));

        var addNumber = OcNumberArgument.Create("The OC number of the user to ask");
        var add = new Command("add", "Send a friend request (or accept theirs, if they asked you first)") { addNumber };
        host.SetAction(add, (parse, context, ct) => AddAsync(context, OcNumberArgument.Parse(parse.GetValue(addNumber)!), ct));

        var removeNumber = OcNumberArgument.Create("The OC number of the friend to remove");
        var remove = new Command("remove", "End a friendship (both sides; they are told), or withdraw your request") { removeNumber };
        host.SetAction(remove, (parse, context, ct) => RemoveAsync(context, OcNumberArgument.Parse(parse.GetValue(removeNumber)!), ct));

        var requests = new Command("requests", "List the friend requests waiting: to you (answer them) and yours");
        host.SetAction(requests, (_, context, ct) => RequestsAsync(context, ct));

        var acceptNumber = OcNumberArgument.Create("The OC number of the user who asked you");
        var accept = new Command("accept", "Accept a friend request: you are friends from now on (they are told)") { acceptNumber };
        host.SetAction(accept, (parse, context, ct) => RespondAsync(context, OcNumberArgument.Parse(parse.GetValue(acceptNumber)!), true, ct));

        var declineNumber = OcNumberArgument.Create("The OC number of the user who asked you");
        var decline = new Command("decline", "Decline a friend request (they are not told)") { declineNumber };
        host.SetAction(decline, (parse, context, ct) => RespondAsync(context, OcNumberArgument.Parse(parse.GetValue(declineNumber)!), false, ct));

        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        command.Subcommands.Add(requests);
        command.Subcommands.Add(accept);
        command.Subcommands.Add(decline);
        return command;
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var friends = await link.CallAsync(OcFriends.ListAsync, cancellationToken).ConfigureAwait(false);
        var users = friends.Select(f => new UserOutput(f.OcNumber, f.Nick, f.Online, f.Friend)).ToList();
        string text = UserLines.Format(users, "No friends yet. Add one with: oc friends add NUMBER");
        if (!context.Output.Json && FriendRequestHint.Text(await FriendRequestHint.CountAsync(link, cancellationToken).ConfigureAwait(false)) is { } hint)
        {
            text += Environment.NewLine + hint;
        }

        context.Output.Result(new FriendsOutput(users), OutputJsonContext.Default.FriendsOutput, text);
        return ExitCodes.Success;
    }

    private static async Task<int> AddAsync(CommandContext context, uint number, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var card = await OcNumberArgument.NamingUnknownAsync(number,
            () => link.CallAsync((c, t) => OcFriends.AddAsync(c, number, t), cancellationToken)).ConfigureAwait(false);
        string who = Who(card.Nick, number);
        context.Output.Result(new FriendChangeOutput(number, card.Friend, card.Nick, RequestWaiting: !card.Friend), OutputJsonContext.Default.FriendChangeOutput,
            card.Friend ? $"{who} is now your friend." : $"Friend request sent to {who}; you become friends when they accept.");
        return ExitCodes.Success;
    }

    private static async Task<int> RemoveAsync(CommandContext context, uint number, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        // FRIEND_REMOVE answers OK for a friendship ended and for a request withdrawn; the card says which it is.
        var card = await OcNumberArgument.NamingUnknownAsync(number, () => link.CallAsync(async (c, t) =>
        {
            var before = await OcFriends.FindAsync(c, number, t).ConfigureAwait(false);
            await OcFriends.RemoveAsync(c, number, t).ConfigureAwait(false);
            return before;
        }, cancellationToken)).ConfigureAwait(false);
        string who = Who(card.Nick, number);
        context.Output.Result(new FriendChangeOutput(number, false, card.Nick), OutputJsonContext.Default.FriendChangeOutput,
            card.Friend ? $"{who} is no longer your friend." : $"Your friend request to {who} is withdrawn.");
        return ExitCodes.Success;
    }

    private static async Task<int> RequestsAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var requests = await link.CallAsync(OcFriends.RequestsAsync, cancellationToken).ConfigureAwait(false);
        var output = requests.Select(r => new FriendRequestOutput(r.OcNumber, r.Nick, MessageLines.UtcTime(r.TimeUnixMs),
            r.Outgoing ? "outgoing" : "incoming")).ToList();
        context.Output.Result(new FriendRequestsOutput(output), OutputJsonContext.Default.FriendRequestsOutput, RequestLines(requests));
        return ExitCodes.Success;
    }

    private static async Task<int> RespondAsync(CommandContext context, uint number, bool accept, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        if (accept)
        {
            var card = await OcNumberArgument.NamingUnknownAsync(number,
                () => link.CallAsync((c, t) => OcFriends.AcceptAsync(c, number, t), cancellationToken)).ConfigureAwait(false);
            context.Output.Result(new FriendChangeOutput(number, true, card.Nick), OutputJsonContext.Default.FriendChangeOutput,
                $"{Who(card.Nick, number)} is now your friend.");
            return ExitCodes.Success;
        }

        // FRIEND_RESPOND declining answers OK, without a card: the look-up first names the asker.
        var asker = await OcNumberArgument.NamingUnknownAsync(number, () => link.CallAsync(async (c, t) =>
        {
            var card = await OcFriends.FindAsync(c, number, t).ConfigureAwait(false);
            await OcFriends.DeclineAsync(c, number, t).ConfigureAwait(false);
            return card;
        }, cancellationToken)).ConfigureAwait(false);
        context.Output.Result(new FriendChangeOutput(number, false, asker.Nick), OutputJsonContext.Default.FriendChangeOutput,
            $"Declined the friend request of {Who(asker.Nick, number)}.");
        return ExitCodes.Success;
    }

    /// <summary>One aligned line per request, the ones to you first, and how to answer them (<paramref name="answer"/>).</summary>
    internal static string RequestLines(IReadOnlyList<FriendRequestEntry> requests,
        string answer = "oc friends accept NUMBER, or oc friends decline NUMBER")
    {
        if (requests.Count == 0) return "No friend requests.";
        int width = requests.Max(r => r.Nick.Length);
        var lines = requests.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.OcNumber:D6}  {r.Nick.PadRight(width)}  {(r.Outgoing ? "you asked" : "asks you ")}  {MessageLines.LocalTime(r.TimeUnixMs)}")).ToList();
        if (requests.Any(r => !r.Outgoing)) lines.Add("Answer with: " + answer);
        return string.Join(Environment.NewLine, lines);
    }

    private static string Who(string nick, uint number) => string.Create(CultureInfo.InvariantCulture, $"{nick} ({number:D6})");
}

/// <summary>"2 friend requests are waiting: oc friends requests", for the commands that show it (oc login, oc friends).</summary>
internal static class FriendRequestHint
{
    /// <summary>How many users wait for an answer from you; 0 from an appliance that has no friend requests (older than this oc).</summary>
    public static async Task<int> CountAsync(ApplianceLink link, CancellationToken cancellationToken)
    {
        try
        {
            var requests = await link.CallAsync(OcFriends.RequestsAsync, cancellationToken).ConfigureAwait(false);
            return requests.Count(r => !r.Outgoing);
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownFrameType)
        {
            return 0;
        }
    }

    public static string? Text(int incoming) => incoming switch
    {
        0 => null,
        1 => "1 friend request is waiting: oc friends requests",
        _ => string.Create(CultureInfo.InvariantCulture, $"{incoming} friend requests are waiting: oc friends requests"),
    };
}

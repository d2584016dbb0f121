using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc block NUMBER</c>, <c>oc unblock NUMBER</c> and <c>oc blocked</c>.</summary>
internal static class BlockCommand
{
    public const string BlockMoreHelp = """
        Notes:
          While you block someone, nothing passes between the two of you, either way: no messages, no
          files, no friend requests, and neither sees the other online (oc online, oc find, presence).
          Blocking ends a friendship (both sides see it end, as with oc friends remove) and drops the
          friend requests between you. Whoever is blocked learns it only by trying to reach you: the
          appliance then refuses with "NUMBER has blocked you".
          Messages and files from before stay in your history. oc unblock lifts the block; you are not
          friends again until one asks and the other accepts.

        Output:
          text    Blocked bob (654321): no messages, files, friend requests or presence between you.
          --json  {"ocNumber":654321,"blocked":true}

        Examples:
          oc block 654321
          oc unblock 654321
          oc blocked
        """;

    public const string UnblockMoreHelp = """
        Output:
          text    Unblocked 654321. To be friends again, one of you sends a friend request.
          --json  {"ocNumber":654321,"blocked":false}
        """;

    public const string BlockedMoreHelp = """
        Output:
          text    654321  bob  since 2026-11-25 18:00
          --json  {"blocked":[{"ocNumber":654321,"nick":"bob","since":"2026-11-25T17:00:00+00:00"}, ...]}
        """;

    public static Command CreateBlock(CommandHost host)
    {
        var number = OcNumberArgument.Create("The OC number of the user to block");
        var command = new Command("block", "Block a user: no messages, files, friend requests or presence between you") { number };
        host.SetAction(command, (parse, context, ct) => ChangeAsync(context, OcNumberArgument.Parse(parse.GetValue(number)!), block: true, ct));
        return command;
    }

    public static Command CreateUnblock(CommandHost host)
    {
        var number = OcNumberArgument.Create("The OC number of the user to unblock");
        var command = new Command("unblock", "Lift a block (you are not friends again until a request is accepted)") { number };
        host.SetAction(command, (parse, context, ct) => ChangeAsync(context, OcNumberArgument.Parse(parse.GetValue(number)!), block: false, ct));
        return command;
    }

    public static Command CreateList(CommandHost host)
    {
        var command = new Command("blocked", "List the users you block");
        host.SetAction(command, (_, context, ct) => ListAsync(context, ct));
        return command;
    }

    private static async Task<int> ChangeAsync(CommandContext context, uint number, bool block, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        string nick = await OcNumberArgument.NamingUnknownAsync(number, () => link.CallAsync(async (c, t) =>
        {
            if (block)
            {
                // The nick first: once blocked, the card no longer shows them online, but it still names them.
                var card = await OcFriends.FindAsync(c, number, t).ConfigureAwait(false);
                await OcFriends.BlockAsync(c, number, t).ConfigureAwait(false);
                return card.Nick;
            }

            await OcFriends.UnblockAsync(c, number, t).ConfigureAwait(false);
            return "";
        }, cancellationToken)).ConfigureAwait(false);
        context.Output.Result(new BlockOutput(number, block), OutputJsonContext.Default.BlockOutput, block
            ? string.Create(CultureInfo.InvariantCulture, $"Blocked {nick} ({number:D6}): no messages, files, friend requests or presence between you.")
            : string.Create(CultureInfo.InvariantCulture, $"Unblocked {number:D6}. To be friends again, one of you sends a friend request."));
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var blocked = await link.CallAsync(OcFriends.BlockedAsync, cancellationToken).ConfigureAwait(false);
        var output = blocked.Select(b => new BlockedUserOutput(b.OcNumber, b.Nick, MessageLines.UtcTime(b.SinceUnixMs))).ToList();
        string text = "You block nobody.";
        if (blocked.Count > 0)
        {
            int width = blocked.Max(b => b.Nick.Length);
            text = string.Join(Environment.NewLine, blocked.Select(b => string.Create(CultureInfo.InvariantCulture,
                $"{b.OcNumber:D6}  {b.Nick.PadRight(width)}  since {MessageLines.LocalTime(b.SinceUnixMs)}")));
        }

        context.Output.Result(new BlockedOutput(output), OutputJsonContext.Default.BlockedOutput, text);
        return ExitCodes.Success;
    }
}

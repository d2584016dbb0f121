using System.CommandLine;
using System.Globalization;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary><c>oc history NUMBER [--limit N] [--before SEQ]</c>: the latest messages with one user, newest last.</summary>
internal static class HistoryCommand
{
    public const string MoreHelp = """
        Notes:
          Shows the messages between you and NUMBER (who need not be a friend any more), oldest first,
          in your local time. For older messages, ask again with --before set to the first seq shown
          (--json gives the seqs).
          New messages that oc history shows count as seen: oc listen and oc chat will not show them
          again as new. The rule: your cursor (the last message you have seen) moves past the messages
          printed here, and past your own, up to the first unseen message from another conversation.

        Output:
          text    [2026-11-25 18:00] alice: hello
                  [2026-11-25 18:01] bob: hi!
          --json  one object per line, oldest first:
                  {"seq":41,"time":"2026-11-25T18:00:00.123+00:00","from":123456,"to":654321,"text":"hello"}

        Examples:
          oc history 654321
          oc history 654321 --limit 100
          oc history 654321 --before 41 --json
        """;

    public static Command Create(CommandHost host)
    {
        var number = OcNumberArgument.Create("The OC number of the other side of the conversation");
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"How many messages to show, 1..{ProtocolLimits.MaxHistoryPage}",
            HelpName = "N",
            DefaultValueFactory = _ => 20,
        };
        limit.Validators.Add(r =>
        {
            int n = r.GetValueOrDefault<int>();
            if (n is < 1 or > ProtocolLimits.MaxHistoryPage) r.AddError($"--limit must be 1..{ProtocolLimits.MaxHistoryPage}, not {n}");
        });
        var before = new Option<ulong>("--before")
        {
            Description = "Only messages older than this seq (the default is up to the newest)",
            HelpName = "SEQ",
        };
        before.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<ulong>() == 0) r.AddError("--before must be a seq of 1 or more");
        });

        var command = new Command("history", "Show the latest messages between you and a user, newest last") { number, limit, before };
        host.SetAction(command, (parse, context, ct) =>
            RunAsync(context, OcNumberArgument.Parse(parse.GetValue(number)!), parse.GetValue(limit), parse.GetValue(before), ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, uint peer, int limit, ulong before, CancellationToken cancellationToken)
    {
        var (session, _) = context.RequireSession();
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var card = await OcNumberArgument.NamingUnknownAsync(peer,
            () => link.CallAsync((c, t) => OcFriends.FindAsync(c, peer, t), cancellationToken)).ConfigureAwait(false);
        var (more, messages) = await link.CallAsync((c, t) => OcMessages.HistoryAsync(c, peer, before, limit, t), cancellationToken).ConfigureAwait(false);

        Print(context.Output, messages, more, session.OcNumber, session.Nick, card);

        if (messages.Count > 0)
        {
            var cursor = new CursorStore(context.Config, link.Connection.Welcome.ApplianceId, link.Server, session.OcNumber);
            ulong seen = await SeenUpToAsync(link, cursor.Load(), messages, session.OcNumber, cancellationToken).ConfigureAwait(false);
            await cursor.SaveAsync(seen, [], cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static void Print(Output output, List<ChatMessage> messages, bool more, uint me, string myNick, UserCard peer)
    {
        if (output.Json)
        {
            foreach (var m in messages)
            {
                output.JsonLine(new MessageOutput(m.Seq, MessageLines.UtcTime(m.TimeUnixMs), m.From, m.To, m.Text), OutputJsonContext.Default.MessageOutput);
            }

            return;
        }

        if (messages.Count == 0)
        {
            output.Line($"No messages with {peer.Nick}.");
            return;
        }

        var lines = new List<string>(messages.Count + 1);
        if (more)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"(older messages: oc history {peer.OcNumber:D6} --before {messages[0].Seq})"));
        }

        lines.AddRange(messages.Select(m => MessageLines.History(m, m.From == me ? myNick : peer.Nick)));
        output.Line(string.Join(Environment.NewLine, lines));
    }

    /// <summary>
    /// How far the cursor may move after <paramref name="printed"/> was shown: SYNC from the cursor
    /// lists the unseen messages in order; the cursor passes those printed here and the user's own,
    /// and stops at the first other one (a message of another conversation stays new). A peek: a
    /// one-shot command does not go live, so it does not make the user online to friends.
    /// </summary>
    private static async Task<ulong> SeenUpToAsync(ApplianceLink link, Cursor cursor, List<ChatMessage> printed, uint me, CancellationToken cancellationToken)
    {
        ulong newest = printed.Max(m => m.Seq);
        if (newest <= cursor.Seq) return cursor.Seq;

        var shown = printed.Select(m => m.Seq).ToHashSet();
        var stream = new OcMessageStream(link.Connection, cursor.Seq);
        ulong seen = cursor.Seq;
        ulong after = cursor.Seq;
        while (true)
        {
            var synced = await link.CallAsync((c, t) => OcMessages.SyncPageAsync(c, after, t, peek: true), cancellationToken).ConfigureAwait(false);
            while (link.Connection.Events.TryRead(out var frame))
            {
                if (!stream.TryConvert(frame, out var e) || e is not MessageEvent { Message: var m }) continue;
                if (m.Seq > newest || !(shown.Contains(m.Seq) || m.From == me)) return seen;
                seen = m.Seq;
            }

            if (!synced.More) return seen;
            after = synced.LastSeq;
        }
    }
}

using System.CommandLine;
using System.Globalization;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary><c>oc history NUMBER|#ROOM [--room ROOM] [--limit N] [--before SEQ]</c>: the latest messages with one user, or of a room, newest last.</summary>
internal static class HistoryCommand
{
    public const string MoreHelp = """
        Notes:
          Shows the messages between you and NUMBER (who need not be a friend any more), oldest first,
          in your local time. For older messages, ask again with --before set to the first seq shown
          (--json gives the seqs).
          oc history '#482913' (or --room 482913, or a room's name: '#Lunch', --room Lunch) shows a room's
          messages from when you joined it (up to when you left, for a room you left), with who joined,
          left, was kicked or owns it now, and the files sent to it. A message that mentions you
          (@NICK or @NUMBER) is highlighted on a terminal (not with NO_COLOR).
          New messages that oc history shows count as seen: oc listen and oc chat will not show them
          again as new. The rule: your cursor (the last message you have seen) moves past the messages
          printed here, and past your own, up to the first unseen message from another conversation.

        Output:
          text    [2026-11-25 18:00] alice: hello
                  [2026-11-25 18:01] bob: hi!
          room    [2026-11-25 18:02] * carol joined (invited by bob)
                  [2026-11-25 18:03] carol: hi all
                  [2026-11-25 18:04] * dave was kicked by alice      [...] * bob left
                  [2026-11-25 18:05] * erin owns the room now      [...] * alice sent file menu.pdf (5b0e4d2a9c1f3e77)
          --json  one object per line, oldest first:
                  {"seq":41,"time":"2026-11-25T18:00:00.123+00:00","from":123456,"to":654321,"text":"hello"}
                  a room: {"seq":43,"time":"...","room":482913,"kind":"text","from":345678,"subject":0,"text":"hi all"}
                  ("kind": text, joined, left, kicked, owner, file (with "fileId"); "subject": whom a change is about)

        Examples:
          oc history 654321
          oc history 654321 --limit 100
          oc history 654321 --before 41 --json
          oc history '#482913'
          oc history --room Lunch --limit 100
        """;

    public static Command Create(CommandHost host)
    {
        var with = new Argument<string?>("WITH")
        {
            Description = "The OC number of the other side of the conversation, or #ROOM: a room (#123456, or # and the name of one of your rooms)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var room = new Option<string?>("--room")
        {
            Description = "Show this room's messages (#123456, 123456 or the room's name) instead of a conversation with one user",
            HelpName = "ROOM",
        };
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

        var command = new Command("history", "Show the latest messages between you and a user, or of a room, newest last") { with, room, limit, before };
        command.Validators.Add(r =>
        {
            if (Target(r.GetValue(with), r.GetValue(room)).Error is { } error) r.AddError(error);
        });
        host.SetAction(command, (parse, context, ct) =>
        {
            var (target, _) = Target(parse.GetValue(with), parse.GetValue(room));
            return target.User != 0
                ? RunAsync(context, target.User, parse.GetValue(limit), parse.GetValue(before), ct)
                : RunRoomAsync(context, target.Room, parse.GetValue(limit), parse.GetValue(before), ct);
        });
        return command;
    }

    /// <summary>Whose history WITH and --room name: a user (six digits), or a room (#ROOM, or --room ROOM). Pure.</summary>
    internal static (SendTarget Target, string? Error) Target(string? with, string? room)
    {
        if (room is not null)
        {
            if (with is not null) return (default, $"either {with} or --room {room}, not both");
            return RoomArgument.TryParseReference(room, out var byOption)
                ? (new SendTarget(0, byOption), null)
                : (default, $"'{room}' is not a room (#123456, or the name of one of your rooms)");
        }

        if (with is null) return (default, "whose history? NUMBER (a user), #ROOM or --room ROOM");
        if (with.StartsWith('#'))
        {
            return RoomArgument.TryParseReference(with, out var reference)
                ? (new SendTarget(0, reference), null)
                : (default, $"'{with}' is not a room (#123456, or # and the name of one of your rooms)");
        }

        return OcNumber.TryParse(with, out var number)
            ? (new SendTarget(number.Value, default), null)
            : (default, $"'{with}' is not an OC number (six digits) nor a room (#123456)");
    }

    private static async Task<int> RunAsync(CommandContext context, uint peer, int limit, ulong before, CancellationToken cancellationToken)
    {
        var (session, _) = context.RequireSession();
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var card = await OcNumberArgument.NamingUnknownAsync(peer,
            () => link.CallAsync((c, t) => OcFriends.FindAsync(c, peer, t), cancellationToken)).ConfigureAwait(false);
        var (more, messages) = await link.CallAsync((c, t) => OcMessages.HistoryAsync(c, peer, before, limit, t), cancellationToken).ConfigureAwait(false);

        var mentions = new Mentions(session.Nick, session.OcNumber, context.Environment.Styles);
        Print(context.Output, messages, more, session.OcNumber, session.Nick, card, mentions);
        await MarkSeenAsync(context, link, session.OcNumber, [.. messages.Select(m => m.Seq)], cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<int> RunRoomAsync(CommandContext context, RoomReference room, int limit, ulong before, CancellationToken cancellationToken)
    {
        var (session, _) = context.RequireSession();
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        uint roomId = await RoomArgument.ResolveAsync(link, room, cancellationToken).ConfigureAwait(false);
        var (more, entries) = await link.CallAsync((c, t) => OcRoomMessages.HistoryAsync(c, roomId, before, limit, t), cancellationToken).ConfigureAwait(false);

        if (context.Output.Json)
        {
            foreach (var e in entries) context.Output.JsonLine(EntryOutput(e), OutputJsonContext.Default.RoomEntryOutput);
        }
        else if (entries.Count == 0)
        {
            context.Output.Line($"No messages in {RoomArgument.Format(roomId)} yet.");
        }
        else
        {
            var nicks = await RoomNicksAsync(link, roomId, entries, cancellationToken).ConfigureAwait(false);
            var names = new RoomNames(session.OcNumber, session.Nick, You: false, n => nicks.GetValueOrDefault(n) ?? n.ToString("D6", CultureInfo.InvariantCulture));
            var mentions = new Mentions(session.Nick, session.OcNumber, context.Environment.Styles);
            var lines = new List<string>(entries.Count + 1);
            if (more) lines.Add(string.Create(CultureInfo.InvariantCulture, $"(older messages: oc history --room {roomId:D6} --before {entries[0].Seq})"));
            lines.AddRange(entries.Select(e => RoomLines.History(e, names, mentions)));
            context.Output.SafeLine(string.Join(Environment.NewLine, lines));
        }

        await MarkSeenAsync(context, link, session.OcNumber, [.. entries.Select(e => e.Seq)], cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    internal static RoomEntryOutput EntryOutput(in RoomMessage e) => new(
        e.Seq, MessageLines.UtcTime(e.TimeUnixMs), e.RoomId, RoomLines.KindName(e.Kind), e.From, e.Subject, e.Text,
        e.Kind == RoomMessageKind.File ? RoomLines.FileId(e).ToString("x16", CultureInfo.InvariantCulture) : null);

    /// <summary>
    /// The nicks of the people in <paramref name="entries"/>: the members' (ROOM_MEMBERS; a former
    /// member may not ask), those the membership entries carry, and FIND_USER for the rest.
    /// </summary>
    private static async Task<Dictionary<uint, string>> RoomNicksAsync(ApplianceLink link, uint roomId, List<RoomMessage> entries, CancellationToken cancellationToken)
    {
        var nicks = new Dictionary<uint, string>();
        try
        {
            foreach (var m in await link.CallAsync((c, t) => OcRooms.MembersAsync(c, roomId, t), cancellationToken).ConfigureAwait(false)) nicks[m.OcNumber] = m.Nick;
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.NotRoomMember)
        {
        }

        foreach (var e in entries.Where(e => e.Kind is >= RoomMessageKind.Joined and <= RoomMessageKind.OwnerChanged && e.Text.Length > 0))
        {
            nicks.TryAdd(e.Subject, e.Text);
        }

        foreach (uint from in entries.Select(e => e.From).Distinct().Where(n => !nicks.ContainsKey(n)).ToList())
        {
            try
            {
                nicks[from] = (await link.CallAsync((c, t) => OcFriends.FindAsync(c, from, t), cancellationToken).ConfigureAwait(false)).Nick;
            }
            catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
            {
                // An account deleted since: shown by its number.
            }
        }

        return nicks;
    }

    private static void Print(Output output, List<ChatMessage> messages, bool more, uint me, string myNick, UserCard peer, Mentions mentions)
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

        lines.AddRange(messages.Select(m => MessageLines.History(m, m.From == me ? myNick : peer.Nick, mentions)));
        output.SafeLine(string.Join(Environment.NewLine, lines));
    }

    /// <summary>Moves the saved cursor past what was printed (see <see cref="SeenUpToAsync"/>).</summary>
    private static async Task MarkSeenAsync(CommandContext context, ApplianceLink link, uint me, HashSet<ulong> printed, CancellationToken cancellationToken)
    {
        if (printed.Count == 0) return;
        var cursor = new CursorStore(context.Config, link.Connection.Welcome.ApplianceId, link.Server, me);
        ulong seen = await SeenUpToAsync(link, cursor.Load(), printed, me, cancellationToken).ConfigureAwait(false);
        await cursor.SaveAsync(seen, [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// How far the cursor may move after <paramref name="printed"/> was shown: SYNC from the cursor
    /// lists the unseen messages in order; the cursor passes those printed here and the user's own,
    /// and stops at the first other one (a message of another conversation stays new). A peek: a
    /// one-shot command does not go live, so it does not make the user online to friends.
    /// </summary>
    private static async Task<ulong> SeenUpToAsync(ApplianceLink link, Cursor cursor, HashSet<ulong> shown, uint me, CancellationToken cancellationToken)
    {
        ulong newest = shown.Max();
        if (newest <= cursor.Seq) return cursor.Seq;

        var stream = new OcMessageStream(link.Connection, cursor.Seq);
        ulong seen = cursor.Seq;
        ulong after = cursor.Seq;
        while (true)
        {
            var synced = await link.CallAsync((c, t) => OcMessages.SyncPageAsync(c, after, t, peek: true), cancellationToken).ConfigureAwait(false);
            while (link.Connection.Events.TryRead(out var frame))
            {
                // 1:1 messages and room entries alike: one cursor covers both (docs/protocol.md, "Room messages").
                var (seq, from) = stream.TryConvert(frame, out var e) ? e switch
                {
                    MessageEvent { Message: var m } => (m.Seq, m.From),
                    RoomMessageEvent { Message: var r } => (r.Seq, r.From),
                    _ => (0UL, 0U),
                } : (0UL, 0U);
                if (seq == 0) continue;
                if (seq > newest || !(shown.Contains(seq) || from == me)) return seen;
                seen = seq;
            }

            if (!synced.More) return seen;
            after = synced.LastSeq;
        }
    }
}

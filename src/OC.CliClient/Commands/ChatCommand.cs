using System.CommandLine;
using OC.CliClient.Chat;
using OC.CliClient.Terminal;
using OC.Protocol;

namespace OC.CliClient.Commands;

/// <summary><c>oc chat [NUMBER]</c>: interactive chat with your friends, several conversations at once.</summary>
internal static class ChatCommand
{
    public static readonly string MoreHelp = "Commands inside the chat:\n"
        + string.Concat(ChatLoop.Help.Split('\n').Select(line => "  " + line + "\n")) + """

        Notes:
          At the start oc chat shows the messages that came since you last looked, and which friends are
          online, and the friend requests waiting for your answer (/accept or /decline them); then each
          message, friend request, friend coming online or going offline, as it happens, without
          disturbing the line you are typing. Your own messages are shown as you send them; when one
          reaches a session of its recipient a line "✓ delivered to NICK" follows. With no conversation
          chosen, the first friend (or room) who writes to you becomes the current one.
          Rooms are conversations too: /to #482913 (or /to #Lunch) and every plain line goes to the
          room; the prompt names it. Each room message shows the room, "[#482913 Lunch] alice: hi", as
          do who joins, leaves, is kicked or owns the room now. A message that mentions you (@NICK or
          @NUMBER) is highlighted (bold, reversed; not with NO_COLOR). /rooms counts per room the
          messages shown here while it was not the current conversation; /to #ROOM clears its count.
          If the connection drops, oc chat says so and connects again by itself (0.5 s, doubling up to
          10 s); what you type meanwhile is sent once it is back, each message exactly once.
          /quit waits up to --timeout seconds for messages not yet sent; any left: exit code 1.
          Ctrl-C leaves with exit code 130.
          /send and /get run in the background on the chat's connection, several at once (beyond 4
          sends or 2 gets they wait for a turn); /quit and Ctrl-D wait for them to finish, Ctrl-C or a
          lost connection stops them (the same command resumes). A failed one: exit code 1.
          When stdin is not a terminal, each line of stdin is a line typed (no prompt, no editing;
          refusals go to stderr), so a chat can be scripted: printf '/to 654321\nhi\n/quit\n' | oc chat

        Output:
          [2026-11-25 18:00] alice → you: hello
          [2026-11-25 18:01] you → alice: hi!
            ✓ delivered to alice
          [2026-11-25 18:02] [#482913 Lunch] carol: @alice lunch at 12?
          [2026-11-25 18:03] [#482913 Lunch] * dave joined (invited by carol)
          * bob is online
          * dave (456789) wants to be your friend: /accept 456789 or /decline 456789
          * alice sent you holiday.jpg (3.2 MiB), file 0f3a9c2e11d04b7a: /get 0f3a9c2e11d04b7a
          * sending notes.pdf to alice      * sent notes.pdf (1.1 MiB) to alice as file 5b0e…
          * connection lost (the appliance closed the connection); reconnecting

        Examples:
          oc chat
          oc chat 654321
          oc chat '#482913'
        """;

    public static Command Create(CommandHost host)
    {
        var number = new Argument<string?>("WITH")
        {
            Description = "Start talking to this friend (NUMBER) or in this room of yours (#ROOM; else use /to inside the chat)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        number.Validators.Add(r =>
        {
            string? text = r.GetValueOrDefault<string?>();
            if (text is not null && !OcNumber.TryParse(text, out _) && !(text.StartsWith('#') && RoomArgument.TryParseReference(text, out _)))
            {
                r.AddError($"'{text}' is not an OC number (six digits) nor a room (#123456)");
            }
        });
        var command = new Command("chat", "Chat with your friends and in your rooms interactively (several conversations; messages appear as they come)") { number };
        host.SetAction(command, (parse, context, ct) =>
        {
            string? with = parse.GetValue(number);
            OcNumber.TryParse(with, out var peer); // Checked when parsing; none (or a room) is 0.
            return RunAsync(context, peer, with is not null && with.StartsWith('#') ? with : null, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, uint peer, string? room, CancellationToken cancellationToken)
    {
        if (context.Output.Json) throw CliException.Usage("oc chat has no --json; scripts use oc listen --json and oc send");
        var (session, _) = context.RequireSession();
        var environment = context.Environment;
        using ChatConsole console = environment.InputIsTerminal && environment.OutputIsTerminal
            ? new TerminalChatConsole(environment.Out, "> ")
            : new PlainChatConsole(environment.OpenIn(), environment.Out, environment.Error);
        // On the chat's own screen, not under the prompt: "rate limited by the appliance; retrying in 2 s".
        context.RateLimitWaits.Say = console.Warn;
        var chat = new ChatLoop(new LiveSession(context, session), console, context.Timeout, styles: console is TerminalChatConsole && environment.Styles);
        return await chat.RunAsync(peer, cancellationToken, room).ConfigureAwait(false);
    }
}

using System.CommandLine;
using OC.CliClient.Chat;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc listen</c>: prints the messages you missed, then every event as it happens, until Ctrl-C.</summary>
internal static class ListenCommand
{
    public const string MoreHelp = """
        Notes:
          First prints the messages that came since you last looked (oc listen, oc chat or oc history),
          oldest first; then stays connected and prints each message (received, or sent by you from
          elsewhere), friend coming online or going offline, friend added or removed, friend request
          (at the start, those waiting for your answer), each file a friend sent you (once it is
          complete; at the start, those you have not downloaded yet), each invitation to a room, and
          each entry of your rooms: messages, files, who joins, leaves, is kicked or owns the room now,
          with the room's id and name, one per line. A message that mentions you (@NICK or @NUMBER) is
          highlighted on a terminal (bold, reversed; not with NO_COLOR or TERM=dumb).
          Delivery receipts of your messages are printed with --json only.
          If the connection drops or the appliance restarts, oc listen says so on stderr and connects
          again by itself (after 0.5 s, doubling up to 10 s), carrying on where it stopped: nothing is
          lost or shown twice. Only the first connection failing is an error. Ctrl-C stops it (exit 0).
          The last message shown is remembered in the config folder (cursor-*.txt); two oc listen on
          one folder each keep their own place and the file keeps the furthest.

        Output:
          text    [2026-11-25 18:00] alice → you: hello
                  [2026-11-25 18:01] you → alice: hi! (sent from another terminal)
                  * alice is online      * alice went offline
                  * carol (345678) is now your friend      * carol (345678) is no longer your friend
                  * dave (456789) wants to be your friend: oc friends accept 456789 or oc friends decline 456789
                  * alice sent you holiday.jpg (3.2 MiB), file 0f3a9c2e11d04b7a: oc file get 0f3a9c2e11d04b7a
                  * alice (123456) invites you to #482913 Lunch: oc room accept #482913 or oc room decline #482913
                  [2026-11-25 18:02] [#482913 Lunch] carol: @bob lunch at 12?
                  [2026-11-25 18:03] [#482913 Lunch] * dave joined (invited by carol)      [...] * erin left
                  [...] [#482913 Lunch] * you were kicked by alice      [...] * erin owns the room now
                  [...] [#482913 Lunch] * alice sent file menu.pdf (5b0e4d2a9c1f3e77)
          --json  one object per line, with "type" first; times are ISO 8601 in UTC:
                  {"type":"message","seq":42,"time":"2026-11-25T18:00:00.123+00:00","from":654321,"to":123456,"text":"hello"}
                  {"type":"delivered","seq":43}
                  {"type":"presence","ocNumber":654321,"nick":"alice","online":true}
                  {"type":"friendAdded","ocNumber":345678,"nick":"carol"}
                  {"type":"friendRemoved","ocNumber":345678,"nick":"carol"}
                  {"type":"friendRequest","ocNumber":456789,"nick":"dave","time":"2026-11-25T18:02:00.5+00:00"}
                  {"type":"roomInvitation","room":482913,"roomName":"Lunch","from":123456,"fromNick":"alice","time":"..."}
                  {"type":"roomMessage","seq":44,"time":"...","room":482913,"roomName":"Lunch","from":345678,"fromNick":"carol","text":"@bob lunch?","mention":true}
                  {"type":"room","room":482913,"roomName":"Lunch","event":"joined","ocNumber":345678,"nick":"carol","by":123456,"seq":45,"time":"..."}
                      ("event": joined, left, kicked or owner; "by": who did it)
                  {"type":"roomFile","seq":46,"time":"...","room":482913,"roomName":"Lunch","from":345678,"fromNick":"carol","fileId":"5b0e4d2a9c1f3e77","name":"menu.pdf"}
                  {"type":"roomEntry",...,"room":482913,"kind":9,...}: an entry of a kind this oc does not know
                  {"type":"file","fileId":"0f3a9c2e11d04b7a","from":654321,"to":123456,"name":"holiday.jpg","size":3355443,...}
          stderr  oc: listening as bob (123456) on 192.168.1.20:6677; Ctrl-C stops
                  oc: connection lost (the appliance closed the connection); reconnecting
                  oc: connected again to 192.168.1.20:6677

        Examples:
          oc listen
          oc listen --json | jq -r 'select(.type == "message") | .text'
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("listen", "Print new messages, friend requests and friends' comings and goings as they happen, until Ctrl-C");
        host.SetAction(command, (_, context, ct) => RunAsync(context, ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (session, _) = context.RequireSession();
        var live = new LiveSession(context, session);
        try
        {
            var mentions = new Mentions(session.Nick, session.OcNumber, style: context.Environment.Styles && !context.Output.Json);
            await live.RunAsync(new View(live, context.Output, context.Environment.Error, mentions), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: the normal way out of oc listen.
        }

        return ExitCodes.Success;
    }

    private sealed class View(LiveSession session, Output output, TextWriter error, Mentions mentions) : ILiveView
    {
        public void Connected(bool again)
        {
            if (again) Status($"connected again to {session.Server}");
        }

        public void Live(bool again)
        {
            if (!again) Status($"listening as {session.MyNick} ({session.Me:D6}) on {session.Server}; Ctrl-C stops");
        }

        public void Show(OcEvent e)
        {
            string? line = output.Json ? EventLines.Json(session, e) : EventLines.Text(session, e, mentions);
            if (line is not null) output.SafeLine(line);
        }

        public void Lost(string reason) => Status($"connection lost ({ErrorReport.OneLine(reason)}); reconnecting");

        private void Status(string text)
        {
            error.WriteLine("oc: " + text);
            error.Flush();
        }
    }
}

using System.CommandLine;
using System.Globalization;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary>
/// <c>oc rooms</c> and <c>oc room create|invite|invites|accept|decline|join|leave|kick|owner|members</c>:
/// membership of rooms (docs/protocol.md, "Rooms").
/// </summary>
internal static class RoomCommand
{
    public const string RoomsMoreHelp = """
        Notes:
          "N unread": the messages and files of others in the room that oc has not shown you yet (oc
          listen, oc chat and oc history keep a cursor of what they showed), among the room's newest 100
          entries; "99+" at most, "N+" when all 100 are newer than the cursor (older ones may be unread
          too). Membership changes and your own messages do not count. Counting asks the appliance for
          one page of history per room: beyond 30 rooms its rate limit for history slows oc rooms down.

        Output:
          text    #482913  Lunch    3 members  invitation only  (yours)  2 unread
                  #730155  Support  12 members  open
                  1 room invitation is waiting: oc room invites
          --json  {"rooms":[{"id":482913,"name":"Lunch","owner":123456,"open":false,"members":3,"mine":true,"unread":2,"unreadMore":false}, ...]}
        """;

    public const string MoreHelp = """
        Notes:
          A room is a conversation of its members. Its id is six digits, like an OC number but its own:
          write it #482913 (or 482913). Whoever creates a room owns it. Members invite their friends
          (oc room invite); the invited accept or decline (oc room invites, oc room accept|decline; the
          inviter is not told of a decline). Anyone who knows the id of an open room (--open) joins it
          with oc room join. Only the owner kicks a member or gives the room to another member; the
          owner leaves last (or gives the room away first), and the last member leaving deletes it.
          Every member's oc listen and oc chat see who joins, leaves, is kicked or becomes owner.
          The appliance limits members per room (--room-members, 500) and rooms per user (--rooms-per-user, 100).

        Output:
          create  Created room #482913 "Lunch" (invitation only); invite friends with: oc room invite #482913 NUMBER
                  --json {"id":482913,"name":"Lunch","owner":123456,"open":false,"members":1,"mine":true}
          members 123456  alice  online   owner
                  654321  bob    offline
                  --json {"room":482913,"members":[{"ocNumber":123456,"nick":"alice","online":true,"owner":true}, ...]}
          invites #482913  Lunch  from alice (123456)  2026-11-25 18:00
                  --json {"invitations":[{"room":482913,"roomName":"Lunch","from":123456,"fromNick":"alice","time":"..."}]}
          others  one line saying what was done; --json {"room":482913,"action":"kicked","ocNumber":654321}

        Examples:
          oc room create Lunch
          oc room create "Open plan" --open
          oc room invite '#482913' 654321
          oc room invites
          oc room accept '#482913'
          oc room join '#730155'
          oc room members '#482913'
          oc room kick '#482913' 654321
          oc room owner '#482913' 654321
          oc room leave '#482913'
        """;

    public static Command CreateList(CommandHost host)
    {
        var command = new Command("rooms", "List the rooms you are a member of");
        host.SetAction(command, (_, context, ct) => ListAsync(context, ct));
        return command;
    }

    public static Command Create(CommandHost host)
    {
        var command = new Command("room", "Create, join and leave rooms; invite friends; see members; kick or hand over (owner)");

        var name = new Argument<string>("NAME") { Description = "The room's name (1..32 characters; need not be unique)" };
        var open = new Option<bool>("--open") { Description = "Anyone who knows the room's id may join (default: by invitation only)" };
        var create = new Command("create", "Create a room: you are its owner and first member") { name, open };
        host.SetAction(create, (parse, context, ct) => CreateAsync(context, parse.GetValue(name)!, parse.GetValue(open), ct));

        var (inviteRoom, inviteNumber) = (RoomArgument.Create(), OcNumberArgument.Create("The OC number of the friend to invite"));
        var invite = new Command("invite", "Invite a friend to a room you are a member of; they accept or decline") { inviteRoom, inviteNumber };
        host.SetAction(invite, (parse, context, ct) => AboutUserAsync(context, RoomOp.Invite, parse.GetValue(inviteRoom)!, parse.GetValue(inviteNumber)!, ct));

        var invites = new Command("invites", "List the room invitations waiting for your answer");
        host.SetAction(invites, (_, context, ct) => InvitesAsync(context, ct));

        var acceptRoom = RoomArgument.Create("The room whose invitation to accept");
        var accept = new Command("accept", "Accept an invitation: you are a member from now on") { acceptRoom };
        host.SetAction(accept, (parse, context, ct) => EnterAsync(context, RoomArgument.Parse(parse.GetValue(acceptRoom)!), accepting: true, ct));

        var declineRoom = RoomArgument.Create("The room whose invitation to decline");
        var decline = new Command("decline", "Decline an invitation (the inviter is not told)") { declineRoom };
        host.SetAction(decline, (parse, context, ct) => AboutRoomAsync(context, RoomOp.Decline, parse.GetValue(declineRoom)!, ct));

        var joinRoom = RoomArgument.Create("The open room to join (or one whose invitation waits for you)");
        var join = new Command("join", "Join an open room") { joinRoom };
        host.SetAction(join, (parse, context, ct) => EnterAsync(context, RoomArgument.Parse(parse.GetValue(joinRoom)!), accepting: false, ct));

        var leaveRoom = RoomArgument.Create("The room to leave");
        var leave = new Command("leave", "Leave a room (its owner leaves last; the last one out deletes it)") { leaveRoom };
        host.SetAction(leave, (parse, context, ct) => AboutRoomAsync(context, RoomOp.Leave, parse.GetValue(leaveRoom)!, ct));

        var (kickRoom, kickNumber) = (RoomArgument.Create(), OcNumberArgument.Create("The OC number of the member to remove"));
        var kick = new Command("kick", "Remove a member (owner only); they hear nothing more of the room") { kickRoom, kickNumber };
        host.SetAction(kick, (parse, context, ct) => AboutUserAsync(context, RoomOp.Kick, parse.GetValue(kickRoom)!, parse.GetValue(kickNumber)!, ct));

        var (ownerRoom, ownerNumber) = (RoomArgument.Create(), OcNumberArgument.Create("The OC number of the member who will own the room"));
        var owner = new Command("owner", "Give the room to another member (owner only)") { ownerRoom, ownerNumber };
        host.SetAction(owner, (parse, context, ct) => AboutUserAsync(context, RoomOp.Owner, parse.GetValue(ownerRoom)!, parse.GetValue(ownerNumber)!, ct));

        var membersRoom = RoomArgument.Create();
        var members = new Command("members", "List a room's members, who is online and who owns it (members only)") { membersRoom };
        host.SetAction(members, (parse, context, ct) => MembersAsync(context, RoomArgument.Parse(parse.GetValue(membersRoom)!), ct));

        foreach (var sub in new[] { create, invite, invites, accept, decline, join, leave, kick, owner, members }) command.Subcommands.Add(sub);
        return command;
    }

    private enum RoomOp { Invite, Decline, Leave, Kick, Owner }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        uint me = context.RequireSession().Session.OcNumber;
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var rooms = await link.CallAsync(OcRooms.ListAsync, cancellationToken).ConfigureAwait(false);
        var cursor = new CursorStore(context.Config, link.Connection.Welcome.ApplianceId, link.Server, me).Load();
        var unread = await RoomUnread.CountAsync(link, rooms.Select(r => r.RoomId), cursor, me, cancellationToken).ConfigureAwait(false);
        var output = rooms.Select(r => Output(r, me) with
        {
            Unread = unread?.GetValueOrDefault(r.RoomId).Unread,
            UnreadMore = unread?.GetValueOrDefault(r.RoomId).More,
        }).ToList();
        string text = rooms.Count == 0
            ? "No rooms yet. Create one with: oc room create NAME, or join an open one with: oc room join ROOM"
            : RoomLines(rooms, me, unread);
        if (!context.Output.Json)
        {
            int waiting = (await link.CallAsync(OcRooms.InvitationsAsync, cancellationToken).ConfigureAwait(false)).Count;
            if (waiting > 0)
            {
                text += Environment.NewLine + (waiting == 1 ? "1 room invitation is waiting" : string.Create(CultureInfo.InvariantCulture, $"{waiting} room invitations are waiting"))
                    + ": oc room invites";
            }
        }
        context.Output.Result(new RoomsOutput(output), OutputJsonContext.Default.RoomsOutput, text);
        return ExitCodes.Success;
    }

    private static async Task<int> CreateAsync(CommandContext context, string name, bool open, CancellationToken cancellationToken)
    {
        uint me = context.RequireSession().Session.OcNumber;
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var room = await link.CallAsync((c, t) => OcRooms.CreateAsync(c, name, open, t), cancellationToken).ConfigureAwait(false);
        string id = RoomArgument.Format(room.RoomId);
        context.Output.Result(Output(room, me), OutputJsonContext.Default.RoomOutput,
            $"Created room {id} \"{room.Name}\" ({(room.Open ? "open: anyone may join with oc room join " + id : "invitation only")}); invite friends with: oc room invite {id} NUMBER");
        return ExitCodes.Success;
    }

    private static async Task<int> EnterAsync(CommandContext context, uint roomId, bool accepting, CancellationToken cancellationToken)
    {
        uint me = context.RequireSession().Session.OcNumber;
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var room = await link.CallAsync((c, t) => accepting ? OcRooms.AcceptAsync(c, roomId, t) : OcRooms.JoinAsync(c, roomId, t), cancellationToken).ConfigureAwait(false);
        context.Output.Result(Output(room, me), OutputJsonContext.Default.RoomOutput,
            string.Create(CultureInfo.InvariantCulture, $"You are a member of {RoomArgument.Format(room.RoomId)} \"{room.Name}\" ({room.Members} members)."));
        return ExitCodes.Success;
    }

    private static async Task<int> AboutRoomAsync(CommandContext context, RoomOp op, string roomText, CancellationToken cancellationToken)
    {
        uint roomId = RoomArgument.Parse(roomText);
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await link.CallAsync(async (c, t) =>
        {
            if (op == RoomOp.Leave) await OcRooms.LeaveAsync(c, roomId, t).ConfigureAwait(false);
            else await OcRooms.DeclineAsync(c, roomId, t).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        string id = RoomArgument.Format(roomId);
        context.Output.Result(new RoomChangeOutput(roomId, op == RoomOp.Leave ? "left" : "declined"), OutputJsonContext.Default.RoomChangeOutput,
            op == RoomOp.Leave ? $"You left {id}." : $"Declined the invitation to {id}.");
        return ExitCodes.Success;
    }

    private static async Task<int> AboutUserAsync(CommandContext context, RoomOp op, string roomText, string numberText, CancellationToken cancellationToken)
    {
        uint roomId = RoomArgument.Parse(roomText);
        uint number = OcNumberArgument.Parse(numberText);
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await RoomArgument.NamingUnknownAsync(number, () => link.CallAsync(async (c, t) =>
        {
            switch (op)
            {
                case RoomOp.Invite: await OcRooms.InviteAsync(c, roomId, number, t).ConfigureAwait(false); break;
                case RoomOp.Kick: await OcRooms.KickAsync(c, roomId, number, t).ConfigureAwait(false); break;
                default: await OcRooms.GiveAsync(c, roomId, number, t).ConfigureAwait(false); break;
            }
            return true;
        }, cancellationToken)).ConfigureAwait(false);
        string id = RoomArgument.Format(roomId);
        var (action, text) = op switch
        {
            RoomOp.Invite => ("invited", $"Invited {number:D6} to {id}; they become a member when they accept."),
            RoomOp.Kick => ("kicked", $"Removed {number:D6} from {id}."),
            _ => ("owner", $"{number:D6} owns {id} now."),
        };
        context.Output.Result(new RoomChangeOutput(roomId, action, number), OutputJsonContext.Default.RoomChangeOutput, text);
        return ExitCodes.Success;
    }

    private static async Task<int> InvitesAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var invitations = await link.CallAsync(OcRooms.InvitationsAsync, cancellationToken).ConfigureAwait(false);
        var output = invitations.Select(i => new RoomInvitationOutput(i.RoomId, i.RoomName, i.From, i.FromNick, MessageLines.UtcTime(i.TimeUnixMs))).ToList();
        string text = invitations.Count == 0 ? "No room invitations." : string.Join(Environment.NewLine,
            invitations.Select(i => string.Create(CultureInfo.InvariantCulture,
                $"{RoomArgument.Format(i.RoomId)}  {i.RoomName}  from {i.FromNick} ({i.From:D6})  {MessageLines.LocalTime(i.TimeUnixMs)}"))
            .Append("Answer with: oc room accept ROOM, or oc room decline ROOM"));
        context.Output.Result(new RoomInvitationsOutput(output), OutputJsonContext.Default.RoomInvitationsOutput, text);
        return ExitCodes.Success;
    }

    private static async Task<int> MembersAsync(CommandContext context, uint roomId, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var members = await link.CallAsync((c, t) => OcRooms.MembersAsync(c, roomId, t), cancellationToken).ConfigureAwait(false);
        var output = members.Select(m => new RoomMemberOutput(m.OcNumber, m.Nick, m.Online, m.Owner)).ToList();
        int width = members.Count == 0 ? 0 : members.Max(m => m.Nick.Length);
        string text = string.Join(Environment.NewLine, members.Select(m => string.Create(CultureInfo.InvariantCulture,
            $"{m.OcNumber:D6}  {m.Nick.PadRight(width)}  {(m.Online ? "online " : "offline")}{(m.Owner ? "  owner" : "")}")));
        context.Output.Result(new RoomMembersOutput(roomId, output), OutputJsonContext.Default.RoomMembersOutput, text);
        return ExitCodes.Success;
    }

    private static RoomOutput Output(RoomInfo room, uint me) => new(room.RoomId, room.Name, room.Owner, room.Open, room.Members, room.Owner == me);

    private static string RoomLines(IReadOnlyList<RoomInfo> rooms, uint me, Dictionary<uint, (int Unread, bool More)>? unread)
    {
        int width = rooms.Max(r => r.Name.Length);
        return string.Join(Environment.NewLine, rooms.Select(r =>
        {
            var (count, more) = unread?.GetValueOrDefault(r.RoomId) ?? default;
            return string.Create(CultureInfo.InvariantCulture,
                $"{RoomArgument.Format(r.RoomId)}  {r.Name.PadRight(width)}  {r.Members} member{(r.Members == 1 ? "" : "s")}  {(r.Open ? "open" : "invitation only")}{(r.Owner == me ? "  (yours)" : "")}{RoomUnread.Text(count, more)}");
        }));
    }
}

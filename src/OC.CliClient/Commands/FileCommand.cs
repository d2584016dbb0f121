using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary>
/// <c>oc file send NUMBER|#ROOM PATH</c> (or <c>--room ROOM PATH</c>), <c>oc file list [NUMBER] [--room ROOM]</c>,
/// <c>oc file get FILE_ID [-o PATH] [--force]</c>.
/// </summary>
internal static class FileCommand
{
    public const string MoreHelp = """
        Notes:
          Files go through the appliance: the friend gets them even if they are offline now.
          A file sent to a room (#ROOM or --room ROOM) is for every member of the room: each of
          them can list it (oc file list --room ROOM) and get it while they are a member.
          A transfer that breaks off resumes when you run the same command again: send asks the
          appliance how much it has; get continues the local NAME.part file. Both check the SHA-256.
          A received name is made safe before it touches your disk (no folders, no "..", no device
          names); get never overwrites a file unless you say --force.

        Output:
          text    a progress bar on a terminal, then one line
          --json  {"type":"progress",...} lines while it runs, then {"type":"file",...}

        Examples:
          oc file send 654321 holiday.jpg
          oc file send '#123456' minutes.pdf
          oc file list
          oc file list 654321
          oc file list --room 123456
          oc file get 0f3a9c2e11d04b7a -o ~/Downloads/holiday.jpg
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("file", "Send, list and download files");

        var sendTo = new Argument<string>("NUMBER|#ROOM") { Description = "The OC number of the friend to send to, or #ROOM for a room (with --room: the file)" };
        var sendPath = new Argument<string?>("PATH") { Description = "The file to send", Arity = ArgumentArity.ZeroOrOne };
        var sendRoom = RoomOption("Send to this room's members (then give only PATH)");
        var send = new Command("send", "Send a file to a friend or a room (resumes if run again)") { sendTo, sendPath, sendRoom };
        host.SetAction(send, (parse, context, ct) =>
        {
            var (to, toRoom, path) = SendTarget(parse.GetValue(sendTo)!, parse.GetValue(sendPath), parse.GetValue(sendRoom));
            return SendAsync(context, to, toRoom, path, ct);
        });

        var listNumber = new Argument<string?>("NUMBER") { Description = "Only the files with this friend", Arity = ArgumentArity.ZeroOrOne };
        var listRoom = RoomOption("Only the files of this room (members only)");
        var list = new Command("list", "List the files you sent and received, and those of your rooms") { listNumber, listRoom };
        host.SetAction(list, (parse, context, ct) =>
        {
            string? number = parse.GetValue(listNumber), room = parse.GetValue(listRoom);
            if (number is not null && room is not null) throw CliException.Usage("give NUMBER or --room ROOM, not both");
            return room is not null
                ? ListAsync(context, RoomArgument.Parse(room), toRoom: true, ct)
                : ListAsync(context, number is not null ? OcNumberArgument.Parse(number) : 0, toRoom: false, ct);
        });

        var getId = new Argument<string>("FILE_ID") { Description = "The file's id (16 hex digits, from oc file list)" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write it (default: its name, made safe, in this folder)", HelpName = "PATH" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file" };
        var get = new Command("get", "Download a file (resumes if run again)") { getId, output, force };
        host.SetAction(get, (parse, context, ct) => GetAsync(context, ParseId(parse.GetValue(getId)!), parse.GetValue(output), parse.GetValue(force), ct));

        command.Subcommands.Add(send);
        command.Subcommands.Add(list);
        command.Subcommands.Add(get);
        return command;
    }

    private static Option<string?> RoomOption(string description)
    {
        var option = new Option<string?>("--room") { Description = description, HelpName = "ROOM" };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !RoomArgument.TryParse(text, out _)) r.AddError($"'{text}' is not a room id (#123456, six digits)");
        });
        return option;
    }

    /// <summary>
    /// <c>send NUMBER PATH</c>, <c>send #ROOM PATH</c> or <c>send --room ROOM PATH</c> (then the
    /// first argument is the path): who gets it, whether that is a room, and the file.
    /// </summary>
    private static (uint To, bool ToRoom, string Path) SendTarget(string first, string? path, string? room)
    {
        if (room is not null)
        {
            if (path is not null) throw CliException.Usage("with --room ROOM give only PATH");
            return (RoomArgument.Parse(room), true, first);
        }
        if (path is null) throw CliException.Usage("give NUMBER|#ROOM and PATH");
        if (first.StartsWith('#')) return (RoomArgument.Parse(first), true, path);
        return (OcNumberArgument.Parse(first), false, path);
    }

    private static ulong ParseId(string text) =>
        FileTransfers.TryParseId(text, out ulong id) ? id : throw CliException.Usage($"'{text}' is not a file id (16 hex digits, see oc file list)");

    private static async Task<int> SendAsync(CommandContext context, uint to, bool toRoom, string path, CancellationToken cancellationToken)
    {
        var progress = new TransferProgress(context.Environment, context.Output, "send");
        FileEntry entry;
        try
        {
            entry = toRoom
                ? await FileTransfers.SendToRoomAsync(t => TransferLink.OpenAsync(context, t), to, path, progress, cancellationToken).ConfigureAwait(false)
                : await FileTransfers.SendAsync(t => TransferLink.OpenAsync(context, t), to, path, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.Finish();
        }
        var result = FileTransfers.Output(entry);
        context.Output.Result(result, OutputJsonContext.Default.FileOutput,
            $"Sent {FileTransfers.Display(entry.Name)} ({TransferProgress.Bytes((long)entry.Size)}) to {FileTransfers.Recipient(entry)} as file {result.FileId}.");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(CommandContext context, uint peer, bool toRoom, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        List<FileEntry> entries;
        try
        {
            entries = await link.CallAsync((c, t) => toRoom ? OcFiles.ListRoomAsync(c, peer, t) : OcFiles.ListAsync(c, peer, t), cancellationToken).ConfigureAwait(false);
        }
        catch (OcErrorException e) when (toRoom && e.Code is ErrorCode.NotRoomMember or ErrorCode.UnknownRoom)
        {
            throw new CliException($"you are not a member of room {RoomArgument.Format(peer)}", e);
        }
        var files = entries.Select(e => FileTransfers.Output(e)).ToList();
        string text = files.Count == 0
            ? (toRoom ? $"No files in room {RoomArgument.Format(peer)} yet. Send one with: oc file send --room {peer:D6} PATH" : "No files yet. Send one with: oc file send NUMBER PATH")
            : string.Join(Environment.NewLine, entries.Select(e => string.Create(CultureInfo.InvariantCulture,
                $"{e.FileId:x16}  {e.From:D6} -> {FileTransfers.Recipient(e),-7}  {TransferProgress.Bytes((long)e.Size),10}  {FileTransfers.StateText(e.State),-9}  {FileTransfers.Display(e.Name)}")));
        context.Output.Result(new FilesOutput(files), OutputJsonContext.Default.FilesOutput, text);
        return ExitCodes.Success;
    }

    private static async Task<int> GetAsync(CommandContext context, ulong id, string? output, bool force, CancellationToken cancellationToken)
    {
        var progress = new TransferProgress(context.Environment, context.Output, "get");
        FileEntry entry;
        string target;
        try
        {
            (entry, target) = await FileTransfers.GetAsync(t => TransferLink.OpenAsync(context, t), id, output, force, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.Finish();
        }
        context.Output.Result(FileTransfers.Output(entry, target), OutputJsonContext.Default.FileOutput,
            $"Saved {FileTransfers.Display(entry.Name)} ({TransferProgress.Bytes((long)entry.Size)}) to {target}; SHA-256 checked.");
        return ExitCodes.Success;
    }
}

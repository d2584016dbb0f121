using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary><c>oc file send NUMBER PATH</c>, <c>oc file list [NUMBER]</c>, <c>oc file get FILE_ID [-o PATH] [--force]</c>.</summary>
internal static class FileCommand
{
    public const string MoreHelp = """
        Notes:
          Files go through the appliance: the friend gets them even if they are offline now.
          A transfer that breaks off resumes when you run the same command again: send asks the
          appliance how much it has; get continues the local NAME.part file. Both check the SHA-256.
          A received name is made safe before it touches your disk (no folders, no "..", no device
          names); get never overwrites a file unless you say --force.

        Output:
          text    a progress bar on a terminal, then one line
          --json  {"type":"progress",...} lines while it runs, then {"type":"file",...}

        Examples:
          oc file send 654321 holiday.jpg
          oc file list
          oc file list 654321
          oc file get 0f3a9c2e11d04b7a -o ~/Downloads/holiday.jpg
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("file", "Send, list and download files");

        var sendNumber = OcNumberArgument.Create("The OC number of the friend to send to");
        var sendPath = new Argument<string>("PATH") { Description = "The file to send" };
        var send = new Command("send", "Send a file to a friend (resumes if run again)") { sendNumber, sendPath };
        host.SetAction(send, (parse, context, ct) => SendAsync(context, OcNumberArgument.Parse(parse.GetValue(sendNumber)!), parse.GetValue(sendPath)!, ct));

        var listNumber = new Argument<string?>("NUMBER") { Description = "Only the files with this friend", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "List the files you sent and received") { listNumber };
        host.SetAction(list, (parse, context, ct) =>
            ListAsync(context, parse.GetValue(listNumber) is { } n ? OcNumberArgument.Parse(n) : 0, ct));

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

    private static ulong ParseId(string text) =>
        FileTransfers.TryParseId(text, out ulong id) ? id : throw CliException.Usage($"'{text}' is not a file id (16 hex digits, see oc file list)");

    private static async Task<int> SendAsync(CommandContext context, uint to, string path, CancellationToken cancellationToken)
    {
        var progress = new TransferProgress(context.Environment, context.Output, "send");
        FileEntry entry;
        try
        {
            entry = await FileTransfers.SendAsync(t => TransferLink.OpenAsync(context, t), to, path, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.Finish();
        }
        var result = FileTransfers.Output(entry);
        context.Output.Result(result, OutputJsonContext.Default.FileOutput,
            $"Sent {FileTransfers.Display(entry.Name)} ({TransferProgress.Bytes((long)entry.Size)}) to {to:D6} as file {result.FileId}.");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(CommandContext context, uint peer, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var entries = await link.CallAsync((c, t) => OcFiles.ListAsync(c, peer, t), cancellationToken).ConfigureAwait(false);
        var files = entries.Select(e => FileTransfers.Output(e)).ToList();
        string text = files.Count == 0
            ? "No files yet. Send one with: oc file send NUMBER PATH"
            : string.Join(Environment.NewLine, entries.Select(e => string.Create(CultureInfo.InvariantCulture,
                $"{e.FileId:x16}  {e.From:D6} -> {e.To:D6}  {TransferProgress.Bytes((long)e.Size),10}  {FileTransfers.StateText(e.State),-9}  {FileTransfers.Display(e.Name)}")));
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

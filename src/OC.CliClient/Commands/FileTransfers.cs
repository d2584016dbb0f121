using System.Globalization;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary>
/// Sending and getting one file: what <c>oc file send|get</c> run on a connection of their own, and
/// what <c>/send</c> and <c>/get</c> run in <c>oc chat</c> on the chat's connection (a transfer
/// subscribes to its file id there, so the chat goes on reading its events meanwhile). Failures
/// are <see cref="CliException"/>s with one clear line.
/// </summary>
internal static class FileTransfers
{
    /// <summary>Uploads <paramref name="path"/> to friend <paramref name="to"/> (resuming what the appliance has); returns the complete file's entry.</summary>
    public static Task<FileEntry> SendAsync(TransferLinkSource connect, uint to, string path, IProgress<FileTransferProgress> progress, CancellationToken cancellationToken) =>
        SendAsync(connect, to, toRoom: false, path, progress, cancellationToken);

    /// <summary>Uploads <paramref name="path"/> to room <paramref name="roomId"/> (resuming what the appliance has); returns the complete file's entry.</summary>
    public static Task<FileEntry> SendToRoomAsync(TransferLinkSource connect, uint roomId, string path, IProgress<FileTransferProgress> progress, CancellationToken cancellationToken) =>
        SendAsync(connect, roomId, toRoom: true, path, progress, cancellationToken);

    private static async Task<FileEntry> SendAsync(TransferLinkSource connect, uint to, bool toRoom, string path, IProgress<FileTransferProgress> progress, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read {path}: {e.Message}");
        }
        await using var _ = file.ConfigureAwait(false);
        string name = Path.GetFileName(Path.GetFullPath(path));

        await using var transfer = await connect(cancellationToken).ConfigureAwait(false);
        var link = transfer.Link;
        ulong id;
        try
        {
            // Only the offer is ever rate limited, before anything was sent: trying the upload again is safe.
            id = await link.UnhurriedAsync((c, t) => toRoom ? OcFiles.UploadToRoomAsync(c, to, name, file, progress, t) : OcFiles.UploadAsync(c, to, name, file, progress, t),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.NotFriends)
        {
            throw new CliException($"{to:D6} is not your friend", e);
        }
        catch (OcErrorException e) when (e.Code is ErrorCode.NotRoomMember or ErrorCode.UnknownRoom)
        {
            throw new CliException($"you are not a member of room {RoomArgument.Format(to)}", e);
        }
        catch (InvalidOperationException e)
        {
            // The same file to the same friend is being sent on this connection already (a second /send).
            throw new CliException(e.Message, e);
        }
        var entries = await link.CallAsync((c, t) => toRoom ? OcFiles.ListRoomAsync(c, to, t) : OcFiles.ListAsync(c, to, t), cancellationToken).ConfigureAwait(false);
        return entries.First(e => e.FileId == id);
    }

    /// <summary>
    /// Downloads file <paramref name="id"/> to <paramref name="output"/> (a file or a folder; default:
    /// its name, made safe, in the current folder) through <c>NAME.part</c>, which a later run resumes;
    /// returns the entry and where it went.
    /// </summary>
    public static async Task<(FileEntry Entry, string Target)> GetAsync(
        TransferLinkSource connect, ulong id, string? output, bool force, IProgress<FileTransferProgress> progress, CancellationToken cancellationToken,
        string overwriteHint = "use --force to overwrite it")
    {
        await using var transfer = await connect(cancellationToken).ConfigureAwait(false);
        var link = transfer.Link;
        var entries = await link.CallAsync((c, t) => OcFiles.ListAsync(c, 0, t), cancellationToken).ConfigureAwait(false);
        if (entries.FirstOrDefault(e => e.FileId == id && e.State == FileState.Complete) is not { Name: not null } known)
        {
            throw new CliException($"no file {id:x16} for you (see oc file list)");
        }

        string target = Path.GetFullPath(output ?? LocalFileName.Sanitize(known.Name));
        if (Directory.Exists(target)) target = Path.Combine(target, LocalFileName.Sanitize(known.Name));
        if (File.Exists(target) && !force) throw CliException.Usage($"{target} exists; {overwriteHint}");
        string part = target + ".part";

        FileEntry entry;
        try
        {
            var stream = new FileStream(part, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1024 * 1024, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                if (stream.Length > (long)known.Size) stream.SetLength(0);
                entry = await OcFiles.DownloadAsync(link.Connection, id, stream, progress, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException e)
        {
            File.Delete(part);
            throw new CliException($"the download of {id:x16} does not match its SHA-256; the partial file was deleted, run the command again", e);
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.FileNotFound)
        {
            throw new CliException($"no file {id:x16} for you (see oc file list)", e);
        }
        catch (InvalidOperationException e)
        {
            // The file is being downloaded on this connection already (a second /get to another path).
            throw new CliException(e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {part}: {e.Message}", e);
        }
        File.Move(part, target, overwrite: force);
        return (entry, target);
    }

    /// <summary>A file id as typed: 1 to 16 hex digits, not 0.</summary>
    public static bool TryParseId(string text, out ulong id) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) && text.Length is > 0 and <= 16 && id != 0;

    public static FileOutput Output(FileEntry e, string? path = null) => new(
        e.FileId.ToString("x16", CultureInfo.InvariantCulture), e.From, e.To, e.Room, e.Name, e.Size, e.Stored,
        Convert.ToHexStringLower(e.Sha256), DateTimeOffset.FromUnixTimeMilliseconds(e.CreatedUnixMs), StateText(e.State), path);

    public static string StateText(FileState state) => state switch
    {
        FileState.Complete => "complete",
        FileState.Uploading => "partial",
        _ => "rejected",
    };

    /// <summary>Where a file went: the friend's number, or the room as #123456.</summary>
    public static string Recipient(FileEntry e) =>
        e.Room != 0 ? RoomArgument.Format(e.Room) : e.To.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>A name from someone else, shown on a terminal: no control characters (escape sequences).</summary>
    public static string Display(string name) => string.Concat(name.Select(c => char.IsControl(c) ? '?' : c));
}

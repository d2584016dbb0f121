using System.Security.Cryptography;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>Where a transfer is: bytes confirmed (upload) or received (download) of the size.</summary>
public readonly record struct FileTransferProgress(ulong FileId, long Done, long Size);

/// <summary>
/// File transfer (docs/protocol.md, "Files"): offer and upload with credit, list, download paced
/// by FILE_ACK. An upload or download subscribes to the frames of its file id
/// (<see cref="OcConnection.SubscribeFile"/>) and leaves <see cref="OcConnection.Events"/> alone, so
/// several run at once on a connection whose events someone else reads (<c>oc chat</c>); beyond
/// the appliance's 4 uploads and 2 downloads per connection they wait for a turn.
/// </summary>
public static partial class OcFiles
{
    public static async Task<FileAccepted> OfferAsync(OcConnection connection, FileOffer offer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => FileOffer.Write(b, id, offer), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.FileAccepted, "FILE_OFFER");
        if (!FileAccepted.TryRead(reply.Payload, out var accepted)) throw OcAccounts.Malformed(reply);
        return accepted;
    }

    public static Task SendChunkAsync(OcConnection connection, ulong fileId, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.SendAsync(b => FileChunk.Write(b, FrameType.FileChunk, fileId, (ulong)offset, data.Span), cancellationToken);
    }

    /// <summary>
    /// FILE_SEAL: the SHA-256 of an upload offered with the hash at the end; returns the complete
    /// file's entry. A refusal is thrown as it came; a stream error before it is the caller's to find
    /// (<see cref="UploadAsync"/> prefers it).
    /// </summary>
    public static async Task<FileEntry> SealAsync(OcConnection connection, ulong fileId, byte[] sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => FileSeal.Write(b, id, new FileSeal(fileId, sha256)), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.FileEntries, "FILE_SEAL");
        if (!FileEntry.TryReadList(reply.Payload, out var entries) || entries.Count != 1) throw OcAccounts.Malformed(reply);
        return entries[0];
    }

    /// <summary>
    /// What recognises the same upload for a resume without hashing the whole file first: the
    /// name, the size, the modification time of a file on disk and its first 64 KiB. A file
    /// changed in a way all of these miss resumes wrongly and is rejected at FILE_SEAL.
    /// </summary>
    public static async Task<byte[]> UploadKeyAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var key = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        key.AppendData("oc-upload-key-1\n"u8);
        key.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
        Span<byte> number = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(number, content.Length);
        key.AppendData(number);
        if (content is FileStream file)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(number, File.GetLastWriteTimeUtc(file.Name).Ticks);
            key.AppendData(number);
        }
        var head = new byte[(int)Math.Min(64 * 1024, content.Length)];
        content.Position = 0;
        await content.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        key.AppendData(head);
        return key.GetHashAndReset();
    }

    /// <summary>
    /// Your files, or those with <paramref name="peer"/> (0: all, then with the files of the rooms
    /// you are a member of), oldest first.
    /// </summary>
    public static Task<List<FileEntry>> ListAsync(OcConnection connection, uint peer = 0, CancellationToken cancellationToken = default) =>
        ListAsync(connection, new FileListRequest(peer), cancellationToken);

    /// <summary>The files of room <paramref name="roomId"/>, oldest first (members only: else <see cref="OcErrorException"/> NotRoomMember).</summary>
    public static Task<List<FileEntry>> ListRoomAsync(OcConnection connection, uint roomId, CancellationToken cancellationToken = default) =>
        ListAsync(connection, new FileListRequest(roomId, Room: true), cancellationToken);

    private static async Task<List<FileEntry>> ListAsync(OcConnection connection, FileListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => FileListRequest.Write(b, id, request), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.FileEntries, "FILE_LIST");
        if (!FileEntry.TryReadList(reply.Payload, out var entries)) throw OcAccounts.Malformed(reply);
        return entries;
    }
}

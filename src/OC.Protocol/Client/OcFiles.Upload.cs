using System.Security.Cryptography;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

public static partial class OcFiles
{
    /// <summary>
    /// Uploads <paramref name="content"/> (seekable) to friend <paramref name="to"/>, resuming where the
    /// appliance has it already; returns the file id once the appliance verified the SHA-256.
    /// The file is offered with the hash at the end: it is hashed as it is sent (on a resume, the
    /// bytes the appliance has are hashed first) and sealed after the last byte, so nothing waits
    /// for a pass over the whole file first. A hash mismatch throws <see cref="OcErrorException"/> FileRejected.
    /// The same file to the same friend twice at once on one connection: <see cref="InvalidOperationException"/>.
    /// </summary>
    public static Task<ulong> UploadAsync(
        OcConnection connection, uint to, string name, Stream content,
        IProgress<FileTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        UploadAsync(connection, to, toRoom: false, name, content, progress, cancellationToken);

    /// <summary>
    /// Uploads <paramref name="content"/> to room <paramref name="roomId"/> (docs/protocol.md, "Room
    /// files"), exactly as <see cref="UploadAsync(OcConnection, uint, string, Stream, IProgress{FileTransferProgress}?, CancellationToken)"/>
    /// does to a friend: resumed where the appliance has it, hashed as it is sent, sealed at the end.
    /// Not a member: <see cref="OcErrorException"/> NotRoomMember.
    /// </summary>
    public static Task<ulong> UploadToRoomAsync(
        OcConnection connection, uint roomId, string name, Stream content,
        IProgress<FileTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        UploadAsync(connection, roomId, toRoom: true, name, content, progress, cancellationToken);

    private static async Task<ulong> UploadAsync(
        OcConnection connection, uint to, bool toRoom, string name, Stream content,
        IProgress<FileTransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(content);
        long size = content.Length;
        if (size == 0)
        {
            // Nothing to send: offered with its hash, complete at once.
            var empty = await OfferAsync(connection, new FileOffer(to, name, 0, SHA256.HashData(ReadOnlySpan<byte>.Empty), ToRoom: toRoom), cancellationToken).ConfigureAwait(false);
            progress?.Report(new FileTransferProgress(empty.FileId, 0, 0));
            return empty.FileId;
        }

        byte[] key = await UploadKeyAsync(name, content, cancellationToken).ConfigureAwait(false);
        using var claim = connection.ClaimUpload(to, toRoom, (ulong)size, key);
        await connection.UploadTurns.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await UploadOfferedAsync(connection, new FileOffer(to, name, (ulong)size, key, HashAtEnd: true, ToRoom: toRoom), content, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.UploadTurns.Release();
        }
    }

    private static async Task<ulong> UploadOfferedAsync(
        OcConnection connection, FileOffer offer, Stream content, IProgress<FileTransferProgress>? progress, CancellationToken cancellationToken)
    {
        long size = (long)offer.Size;
        var accepted = await OfferAsync(connection, offer, cancellationToken).ConfigureAwait(false);
        ulong fileId = accepted.FileId;
        long confirmed = (long)accepted.Offset;
        long credit = accepted.Credit;
        progress?.Report(new FileTransferProgress(fileId, confirmed, size));

        // Subscribed once the id is known, before the first chunk. A FILE_PROGRESS that came before
        // would go to Events, but nothing waits for it: each one supersedes the ones before, and the
        // chunks sent on FILE_ACCEPTED's credit bring newer ones.
        var stream = new UploadProgress();
        using var subscription = connection.SubscribeFile(fileId, stream);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ProtocolLimits.MaxFileChunkBytes];
        content.Position = 0;
        for (long left = confirmed; left > 0;)
        {
            int n = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException("the file got shorter while it was sent");
            hash.AppendData(buffer, 0, n);
            left -= n;
        }

        long next = confirmed;
        while (true)
        {
            while (next < size && next < confirmed + credit)
            {
                int count = (int)Math.Min(buffer.Length, Math.Min(size - next, confirmed + credit - next));
                await content.ReadExactlyAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, count);
                await SendChunkAsync(connection, fileId, next, buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                next += count;
            }
            if (next == size) break;

            if (!await stream.Latest.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await stream.Latest.Completion.ConfigureAwait(false); // throws the stream error, or why the connection ended
                throw new OcConnectionException("the upload ended early");
            }
            if (!stream.Latest.TryRead(out var p)) continue;
            confirmed = (long)p.Confirmed;
            credit = p.Credit;
            progress?.Report(new FileTransferProgress(fileId, confirmed, size));
        }

        FileEntry entry;
        try
        {
            entry = await SealAsync(connection, fileId, hash.GetHashAndReset(), cancellationToken).ConfigureAwait(false);
        }
        catch (OcErrorException) when (stream.StreamError is { } first)
        {
            // A stream error that came first (a full disk) says more than "not every byte is there".
            throw first;
        }
        progress?.Report(new FileTransferProgress(fileId, (long)entry.Size, size));
        return fileId;
    }
}

using System.Security.Cryptography;
using OC.Protocol.Framing;
using OC.Protocol.IO;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>Where a transfer is: bytes confirmed (upload) or received (download) of the size.</summary>
public readonly record struct FileTransferProgress(ulong FileId, long Done, long Size);

/// <summary>
/// File transfer (docs/protocol.md, "Files"): offer and upload with credit, list, download paced
/// by FILE_ACK. The upload and download calls read <see cref="OcConnection.Events"/> themselves
/// and drop the other events they meet, as <see cref="OcMessages.SyncAsync"/> does: run one
/// transfer at a time on a connection that nothing else reads events from.
/// </summary>
public static class OcFiles
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

    /// <summary>FILE_SEAL: the SHA-256 of an upload offered with the hash at the end; returns the complete file's entry.</summary>
    public static async Task<FileEntry> SealAsync(OcConnection connection, ulong fileId, byte[] sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => FileSeal.Write(b, id, new FileSeal(fileId, sha256)), cancellationToken).ConfigureAwait(false);
        if (reply.Type == FrameType.Error)
        {
            // A stream error that came first (a full disk) says more than "not every byte is there".
            while (connection.Events.TryRead(out var frame)) if (frame.Type == FrameType.Error) throw StreamError(frame);
        }
        OcAccounts.Expect(reply, FrameType.FileEntries, "FILE_SEAL");
        if (!FileEntry.TryReadList(reply.Payload, out var entries) || entries.Count != 1) throw OcAccounts.Malformed(reply);
        return entries[0];
    }

    /// <summary>
    /// Uploads <paramref name="content"/> (seekable) to friend <paramref name="to"/>, resuming where the
    /// appliance has it already; returns the file id once the appliance verified the SHA-256.
    /// The file is offered with the hash at the end: it is hashed as it is sent (on a resume, the
    /// bytes the appliance has are hashed first) and sealed after the last byte, so nothing waits
    /// for a pass over the whole file first. A hash mismatch throws <see cref="OcErrorException"/> FileRejected.
    /// </summary>
    public static async Task<ulong> UploadAsync(
        OcConnection connection, uint to, string name, Stream content,
        IProgress<FileTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(content);
        long size = content.Length;
        if (size == 0)
        {
            // Nothing to send: offered with its hash, complete at once.
            var empty = await OfferAsync(connection, new FileOffer(to, name, 0, SHA256.HashData(ReadOnlySpan<byte>.Empty)), cancellationToken).ConfigureAwait(false);
            progress?.Report(new FileTransferProgress(empty.FileId, 0, 0));
            return empty.FileId;
        }

        byte[] key = await UploadKeyAsync(name, content, cancellationToken).ConfigureAwait(false);
        var accepted = await OfferAsync(connection, new FileOffer(to, name, (ulong)size, key, HashAtEnd: true), cancellationToken).ConfigureAwait(false);
        ulong fileId = accepted.FileId;
        long confirmed = (long)accepted.Offset;
        long credit = accepted.Credit;
        progress?.Report(new FileTransferProgress(fileId, confirmed, size));

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

            var frame = await connection.Events.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (frame.Type == FrameType.Error) throw StreamError(frame);
            if (frame.Type != FrameType.FileProgress || !FileProgress.TryRead(frame.Payload, out var p) || p.FileId != fileId) continue;
            confirmed = (long)p.Confirmed;
            credit = p.Credit;
            progress?.Report(new FileTransferProgress(fileId, confirmed, size));
        }

        var entry = await SealAsync(connection, fileId, hash.GetHashAndReset(), cancellationToken).ConfigureAwait(false);
        progress?.Report(new FileTransferProgress(fileId, (long)entry.Size, size));
        return fileId;
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

    /// <summary>Your files, or those with <paramref name="peer"/> (0: all), oldest first.</summary>
    public static async Task<List<FileEntry>> ListAsync(OcConnection connection, uint peer = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = await connection.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FileList, id, peer), cancellationToken).ConfigureAwait(false);
        OcAccounts.Expect(reply, FrameType.FileEntries, "FILE_LIST");
        if (!FileEntry.TryReadList(reply.Payload, out var entries)) throw OcAccounts.Malformed(reply);
        return entries;
    }

    /// <summary>
    /// Downloads a file into <paramref name="destination"/> (readable, writable, seekable), resuming
    /// after the bytes it holds already; checks the SHA-256 of the whole at the end
    /// (<see cref="InvalidDataException"/> when it does not match). Returns the file's entry.
    /// </summary>
    public static async Task<FileEntry> DownloadAsync(
        OcConnection connection, ulong fileId, Stream destination,
        IProgress<FileTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(destination);
        long offset = destination.Length;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        destination.Position = 0;
        var buffer = new byte[1024 * 1024];
        for (long left = offset; left > 0;)
        {
            int n = await destination.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            hash.AppendData(buffer, 0, n);
            left -= n;
        }

        using var sink = new DownloadSink(fileId, offset, hash);
        // A file on disk is appended through its handle (O_DIRECT where possible, see FileAppender);
        // any other stream gets ordinary writes.
        using var appender = destination is FileStream file ? FileAppender.Attach(file.SafeFileHandle, file.Name, offset, allowDirect: true) : null;
        FileEntry entry;
        try
        {
            using (connection.Intercept(sink))
            {
                var reply = await connection.RequestAsync((b, id) => FilePosition.Write(b, FrameType.FileGet, id, fileId, (ulong)offset), cancellationToken).ConfigureAwait(false);
                OcAccounts.Expect(reply, FrameType.FileEntries, "FILE_GET");
                if (!FileEntry.TryReadList(reply.Payload, out var entries) || entries.Count != 1) throw OcAccounts.Malformed(reply);
                entry = entries[0];
                long size = (long)entry.Size;
                progress?.Report(new FileTransferProgress(fileId, offset, size));

                while (offset < size)
                {
                    if (!await sink.Pieces.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await sink.Pieces.Completion.ConfigureAwait(false);
                        throw new OcConnectionException("the download ended early");
                    }
                    while (sink.Pieces.TryRead(out var piece))
                    {
                        try
                        {
                            if (appender is not null) appender.Append(piece.Buffer.AsSpan(0, piece.Length));
                            else await destination.WriteAsync(piece.Buffer.AsMemory(0, piece.Length), cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            DownloadSink.Return(piece.Buffer);
                        }
                        offset += piece.Length;
                    }
                    // One FILE_ACK for what was written since the last: the appliance's window is far larger.
                    long at = offset;
                    await connection.SendAsync(b => FilePosition.Write(b, FrameType.FileAck, Frame.NoRequest, fileId, (ulong)at), cancellationToken).ConfigureAwait(false);
                    progress?.Report(new FileTransferProgress(fileId, offset, size));
                }
            }
        }
        catch when (appender is not null)
        {
            // Interrupted (Ctrl-C, a dropped connection): keep what arrived, for the resume.
            try { appender.Flush(toDisk: false); }
            catch (IOException) { }
            throw;
        }
        if (appender is not null)
        {
            appender.Flush(toDisk: false);
            destination.Position = offset;
        }
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(entry.Sha256))
        {
            throw new InvalidDataException($"the SHA-256 of the downloaded file {fileId:x16} does not match; delete the partial file and download again");
        }
        return entry;
    }

    private static OcErrorException StreamError(ReceivedFrame frame)
    {
        ErrorReply.TryRead(frame.Payload, out var error);
        return new OcErrorException(error);
    }
}

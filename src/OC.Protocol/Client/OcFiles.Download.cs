using OC.Protocol.Framing;
using OC.Protocol.IO;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

public static partial class OcFiles
{
    /// <summary>
    /// Downloads a file into <paramref name="destination"/> (readable, writable, seekable), resuming
    /// after the bytes it holds already; checks the SHA-256 of the whole at the end
    /// (<see cref="InvalidDataException"/> when it does not match). Returns the file's entry.
    /// The same file twice at once on one connection: <see cref="InvalidOperationException"/>.
    /// </summary>
    public static async Task<FileEntry> DownloadAsync(
        OcConnection connection, ulong fileId, Stream destination,
        IProgress<FileTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(destination);
        long offset = destination.Length;
        using var sink = new DownloadSink(fileId, offset);
        destination.Position = 0;
        var buffer = new byte[1024 * 1024];
        for (long left = offset; left > 0;)
        {
            int n = await destination.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            sink.HashExisting(buffer.AsSpan(0, n));
            left -= n;
        }

        // A file on disk is appended through its handle (O_DIRECT where possible, see FileAppender);
        // any other stream gets ordinary writes.
        using var appender = destination is FileStream file ? FileAppender.Attach(file.SafeFileHandle, file.Name, offset, allowDirect: true) : null;

        await connection.DownloadTurns.WaitAsync(cancellationToken).ConfigureAwait(false);
        IDisposable subscription;
        try
        {
            subscription = connection.SubscribeFile(fileId, sink);
        }
        catch
        {
            connection.DownloadTurns.Release();
            throw;
        }

        // FILE_GET goes out without the caller's token: once it is sent, its reply says whether a
        // stream started, and one that this side gives up on must be stopped (StopAsync).
        var started = connection.RequestAsync((b, id) => FilePosition.Write(b, FrameType.FileGet, id, fileId, (ulong)offset), CancellationToken.None);
        bool streamOver = false;
        FileEntry entry;
        try
        {
            var reply = await started.WaitAsync(cancellationToken).ConfigureAwait(false);
            OcAccounts.Expect(reply, FrameType.FileEntries, "FILE_GET");
            if (!FileEntry.TryReadList(reply.Payload, out var entries) || entries.Count != 1) throw OcAccounts.Malformed(reply);
            entry = entries[0];
            long size = (long)entry.Size;
            progress?.Report(new FileTransferProgress(fileId, offset, size));

            while (offset < size)
            {
                if (!await sink.Pieces.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    await sink.Pieces.Completion.ConfigureAwait(false); // throws the stream error, or why the connection ended
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
            streamOver = true;
        }
        catch when (appender is not null)
        {
            // Interrupted (Ctrl-C, a dropped connection): keep what arrived, for the resume.
            try { appender.Flush(toDisk: false); }
            catch (IOException) { }
            throw;
        }
        finally
        {
            if (streamOver || started is { IsCompleted: true, IsCompletedSuccessfully: false })
            {
                subscription.Dispose();
                connection.DownloadTurns.Release();
            }
            else
            {
                _ = StopAsync(connection, fileId, started, subscription);
            }
        }

        if (appender is not null)
        {
            appender.Flush(toDisk: false);
            destination.Position = offset;
        }
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (!sink.FinishHash().AsSpan().SequenceEqual(entry.Sha256))
        {
            throw new InvalidDataException($"the SHA-256 of the downloaded file {fileId:x16} does not match; delete the partial file and download again");
        }
        return entry;
    }

    /// <summary>
    /// A download that this side gave up on (cancelled, a write failed, a stream error meant for
    /// another transfer): the appliance would go on sending it up to its window, on a connection
    /// that others use, and hold one of the connection's 2 downloads. A FILE_GET at the file's size
    /// replaces it with nothing (docs/protocol.md, "List and download"). Until that is answered the
    /// subscription stays, so the FILE_DATA still on the way go to the stopped sink, which drops
    /// them, rather than to Events.
    /// </summary>
    private static async Task StopAsync(OcConnection connection, ulong fileId, Task<ReceivedFrame> started, IDisposable subscription)
    {
        try
        {
            var reply = await started.ConfigureAwait(false);
            if (reply.Type == FrameType.FileEntries && FileEntry.TryReadList(reply.Payload, out var entries) && entries.Count == 1)
            {
                ulong size = entries[0].Size;
                await connection.RequestAsync((b, id) => FilePosition.Write(b, FrameType.FileGet, id, fileId, size), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OcErrorException or OcConnectionException or ObjectDisposedException or OperationCanceledException)
        {
            // No stream started, or the connection ended and took it along: nothing to stop.
        }
        finally
        {
            subscription.Dispose();
            connection.DownloadTurns.Release();
        }
    }
}

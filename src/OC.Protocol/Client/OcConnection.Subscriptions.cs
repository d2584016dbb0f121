using System.Buffers.Binary;
using System.Collections.Concurrent;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// Who gets a pushed frame (request id 0). As nats.net's subscription manager routes a MSG by its
/// sid, FILE_PROGRESS and FILE_DATA go by the file id they start with to the transfer that
/// subscribed to it; every other event (MESSAGE, PRESENCE, DELIVERED, FRIEND_*, FILE_RECEIVED,
/// and file frames nobody subscribed to) goes to <see cref="Events"/>, the general subscriber.
/// So a chat can read its events while uploads and downloads run on the same connection.
/// </summary>
public sealed partial class OcConnection
{
    private readonly ConcurrentDictionary<ulong, IFileSubscriber> _files = new();
    private readonly ConcurrentDictionary<UploadIdentity, bool> _offers = new();

    /// <summary>What makes the appliance take two offers for one upload (docs/protocol.md, "Upload", the resume).</summary>
    private readonly record struct UploadIdentity(uint To, bool ToRoom, ulong Size, string Key);

    /// <summary>
    /// A turn to upload on this connection: the appliance refuses a fifth upload at once on one
    /// connection (docs/protocol.md, "Limits"), so transfers that share a connection wait for one.
    /// </summary>
    internal SemaphoreSlim UploadTurns { get; } = new(ProtocolLimits.MaxUploadsPerConnection);

    /// <summary>A turn to download on this connection: at most 2 at once, as for <see cref="UploadTurns"/>.</summary>
    internal SemaphoreSlim DownloadTurns { get; } = new(ProtocolLimits.MaxDownloadsPerConnection);

    /// <summary>
    /// Routes the FILE_PROGRESS and FILE_DATA frames of <paramref name="fileId"/>, and stream errors,
    /// to <paramref name="subscriber"/> until the returned handle is disposed. One subscriber per
    /// file id and connection: the appliance itself keeps one stream per file and connection.
    /// </summary>
    public IDisposable SubscribeFile(ulong fileId, IFileSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        if (!_files.TryAdd(fileId, subscriber))
        {
            throw new InvalidOperationException($"file {fileId:x16} is already being transferred on this connection");
        }

        // The receive loop tells the subscribers it finds when it ends; one added after that is told here.
        if (Volatile.Read(ref _closedBecause) is { } reason) subscriber.OnClosed(reason);
        return new FileSubscription(this, fileId, subscriber);
    }

    /// <summary>
    /// Claims an upload before its FILE_OFFER: a second offer of the same upload on this connection
    /// would take the first one over here, and the first one's next chunk, now out of order, would
    /// make the appliance close the connection for everyone on it. Throws when it is running already.
    /// </summary>
    internal IDisposable ClaimUpload(uint to, bool toRoom, ulong size, byte[] key)
    {
        var identity = new UploadIdentity(to, toRoom, size, Convert.ToHexString(key));
        if (!_offers.TryAdd(identity, true)) throw new InvalidOperationException($"this file is already being sent to {(toRoom ? "#" : "")}{to:D6} on this connection");
        return new UploadClaim(this, identity);
    }

    /// <summary>On the receive loop: true when a file subscriber took the pushed frame.</summary>
    private bool TryRouteToFile(FrameType type, ReadOnlySpan<byte> payload)
    {
        if (type is FrameType.FileProgress or FrameType.FileData)
        {
            // Both start with the u64 file id (docs/protocol.md, "Frame types").
            if (payload.Length < sizeof(ulong) || !_files.TryGetValue(BinaryPrimitives.ReadUInt64BigEndian(payload), out var subscriber)) return false;
            subscriber.OnFrame(type, payload);
            return true;
        }

        if (type != FrameType.Error || _files.IsEmpty) return false;
        // A stream error without a subscriber goes to Events, as before there were subscribers.
        ErrorReply.TryRead(payload, out var error);
        var exception = new OcErrorException(error);
        foreach (var subscriber in _files.Values) subscriber.OnStreamError(exception);
        return true;
    }

    private void CloseSubscriptions(Exception reason)
    {
        foreach (var subscriber in _files.Values) subscriber.OnClosed(reason);
    }

    private sealed class FileSubscription(OcConnection connection, ulong fileId, IFileSubscriber subscriber) : IDisposable
    {
        public void Dispose() => connection._files.TryRemove(new KeyValuePair<ulong, IFileSubscriber>(fileId, subscriber));
    }

    private sealed class UploadClaim(OcConnection connection, UploadIdentity identity) : IDisposable
    {
        public void Dispose() => connection._offers.TryRemove(identity, out _);
    }
}

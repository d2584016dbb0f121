using System.Threading.Channels;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// One upload's FILE_PROGRESS, routed to it by file id (<see cref="IFileSubscriber"/>), for
/// <see cref="OcFiles.UploadAsync"/>. Only the latest is kept: <c>confirmed</c> and the end of the
/// credit are absolute and never move back, so a newer frame says everything an older one did
/// and a slow uploader holds one frame, not a queue. A stream error or the connection's end
/// completes <see cref="Latest"/> with that reason.
/// </summary>
internal sealed class UploadProgress : IFileSubscriber
{
    private readonly Channel<FileProgress> _latest = Channel.CreateBounded<FileProgress>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });

    private OcErrorException? _streamError;

    public ChannelReader<FileProgress> Latest => _latest.Reader;

    /// <summary>The stream error this upload was told of, if any (it says more than a later refusal of FILE_SEAL).</summary>
    public OcErrorException? StreamError => Volatile.Read(ref _streamError);

    public void OnFrame(FrameType type, ReadOnlySpan<byte> payload)
    {
        if (type == FrameType.FileProgress && FileProgress.TryRead(payload, out var progress)) _latest.Writer.TryWrite(progress);
    }

    public void OnStreamError(OcErrorException error)
    {
        Interlocked.CompareExchange(ref _streamError, error, null);
        _latest.Writer.TryComplete(error);
    }

    public void OnClosed(Exception reason) => _latest.Writer.TryComplete(reason);
}

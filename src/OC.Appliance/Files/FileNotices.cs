using OC.Appliance.Sessions;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>FILE_RECEIVED to the recipient's live sessions: when an upload completes, and (from the downloads side) when a session goes live.</summary>
internal sealed class FileNotices(PresenceRegistry presence)
{
    private readonly ByteBuffer _scratch = new();

    public void FileReceived(in FileEntry entry)
    {
        _scratch.Consume(_scratch.Length);
        FileEntry.WriteReceived(_scratch, entry);
        presence.PushToLive((int)entry.To, _scratch.Span);
    }
}

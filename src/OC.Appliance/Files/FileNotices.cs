using OC.Appliance.Sessions;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>FILE_RECEIVED to the recipient's live sessions: when an upload completes, and (from the downloads side) when a session goes live.</summary>
internal sealed class FileNotices(PresenceRegistry presence)
{
    private readonly ByteBuffer _scratch = new();

    /// <summary>
    /// Whether the recipient hears of a file: not across a block (an upload accepted before the
    /// block may complete after it; the file stays in FILE_LIST, it is just not announced).
    /// </summary>
    public static bool Announced(PresenceRegistry presence, in FileEntry entry) =>
        !presence.RelationOf((int)entry.To, (int)entry.From).IsBlocked();

    public void FileReceived(in FileEntry entry)
    {
        if (!Announced(presence, entry)) return;
        _scratch.Consume(_scratch.Length);
        FileEntry.WriteReceived(_scratch, entry);
        presence.PushToLive((int)entry.To, _scratch.Span);
    }
}

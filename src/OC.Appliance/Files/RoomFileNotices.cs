using OC.Appliance.Diagnostics;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>
/// A room file is sealed (complete and verified): every live session of every current member
/// hears of it (FILE_RECEIVED with the room in the entry), and the rooms side hears of it through
/// <see cref="SessionEvents.RoomFileSealed"/> to append the room stream's <c>File</c> entry
/// (docs/protocol.md, "Room files"). The members are read from the room store at the seal, so one
/// who left or was kicked before it is not told. Loop thread only.
/// </summary>
internal sealed class RoomFileNotices(StorageWorker storage, PresenceRegistry presence, SessionEvents events)
{
    private readonly ByteBuffer _scratch = new();

    /// <summary>
    /// The one place a sealed room file is announced; <paramref name="uploader"/> is the session
    /// that completed it (it has the reply), null when it is gone.
    /// </summary>
    public void RoomFileSealed(in FileEntry entry, ClientSession? uploader)
    {
        events.RaiseRoomFileSealed(new RoomFileSealed((int)entry.Room, (int)entry.From, entry.FileId, entry.Name));
        try
        {
            storage.Post(new RoomFileMembersJob(this, entry, uploader));
        }
        catch (InvalidOperationException e)
        {
            // Shutting down: live sessions end with it; the room's stream entry tells members later.
            Log.Debug("files.room_notice_skipped", e.Message);
        }
    }

    internal void OnMembers(RoomFileMembersJob job)
    {
        if (job.Error is not null)
        {
            Log.Warn("files.room_notice_failed", $"file {job.Entry.FileId:x16} to room {job.Entry.Room}: {job.Error.Message}");
            return;
        }
        _scratch.Consume(_scratch.Length);
        FileEntry.WriteReceived(_scratch, job.Entry);
        foreach (int member in job.Members) presence.PushToLive(member, _scratch.Span, except: job.Uploader);
    }
}

using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// ADMIN_SNAPSHOT (0x007C, empty payload), admin socket only: the backup tool asks the running
/// appliance for the snapshot points of a consistent backup. The appliance reads the message log's
/// committed length, then copies the checkpointed database into a private file in its data folder.
/// Reply ADMIN_SNAPSHOT_TAKEN (0x007D):
/// <code>string databaseFile (a name in the data folder, ≤ 255 bytes), u64 databaseBytes,
/// u64 messagesBytes, u64 messages, u64 lastSeq, u32 users, u32 friendships</code>
/// The tool reads the copy, then deletes it. Or ERROR StorageFailure (e.g. not enough free space
/// for the copy).
/// </summary>
public readonly record struct AdminSnapshotTaken(
    string DatabaseFile, ulong DatabaseBytes, ulong MessagesBytes, ulong Messages, ulong LastSeq, uint Users, uint Friendships)
{
    public const int MaxFileNameBytes = 255;

    public static void Write(ByteBuffer buffer, uint requestId, in AdminSnapshotTaken taken)
    {
        var w = FrameWriter.Begin(buffer, FrameType.AdminSnapshotTaken, requestId);
        w.WriteString(taken.DatabaseFile);
        w.WriteU64(taken.DatabaseBytes);
        w.WriteU64(taken.MessagesBytes);
        w.WriteU64(taken.Messages);
        w.WriteU64(taken.LastSeq);
        w.WriteU32(taken.Users);
        w.WriteU32(taken.Friendships);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out AdminSnapshotTaken taken)
    {
        var r = new PayloadReader(payload);
        string file = r.ReadString(MaxFileNameBytes);
        taken = new AdminSnapshotTaken(file, r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU32(), r.ReadU32());
        return r.Done && file.Length > 0;
    }
}

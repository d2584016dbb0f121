using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// One user you blocked, in BLOCKED_USERS (0x0072, the reply to BLOCK_LIST).
/// <code>u16 count, then count × (u32 ocNumber, string nick, i64 sinceUnixMs)</code>
/// </summary>
public readonly record struct BlockedUser(uint OcNumber, string Nick, long SinceUnixMs)
{
    public static void WriteList(ByteBuffer buffer, uint requestId, IReadOnlyList<BlockedUser> users)
    {
        int count = Math.Min(users.Count, ProtocolLimits.MaxRelationEntries);
        var w = FrameWriter.Begin(buffer, FrameType.BlockedUsers, requestId);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++)
        {
            w.WriteU32(users[i].OcNumber);
            w.WriteString(users[i].Nick);
            w.WriteI64(users[i].SinceUnixMs);
        }
        w.End();
    }

    public static bool TryReadList(ReadOnlySpan<byte> payload, out List<BlockedUser> users)
    {
        var r = new PayloadReader(payload);
        int count = r.ReadU16();
        users = new List<BlockedUser>(Math.Min(count, 1024));
        for (int i = 0; i < count && r.Ok; i++) users.Add(new BlockedUser(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadI64()));
        return r.Done;
    }
}

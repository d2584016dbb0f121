using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// FILE_LIST (0x0044), client → appliance: the asker's files, those with one peer, or a room's.
/// <code>u32 peer [, u8 flags]</code>
/// <c>peer</c>: an OC number, 0 = everyone. With flags bit 0 (<see cref="Room"/>) <c>peer</c> is a
/// room id instead, and the reply is that room's files ("Room files"). Without the flags byte, or
/// 0, the request is the one FILE_LIST always was. Other bits: the payload is malformed.
/// Reply: FILE_ENTRIES.
/// </summary>
public readonly record struct FileListRequest(uint Peer, bool Room = false)
{
    private const byte FlagRoom = 1;

    public static void Write(ByteBuffer buffer, uint requestId, in FileListRequest request)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileList, requestId);
        w.WriteU32(request.Peer);
        if (request.Room) w.WriteU8(FlagRoom);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FileListRequest request)
    {
        var r = new PayloadReader(payload);
        uint peer = r.ReadU32();
        byte flags = r.Ok && r.Remaining > 0 ? r.ReadU8() : (byte)0;
        request = new FileListRequest(peer, (flags & FlagRoom) != 0);
        return r.Done && (flags & ~FlagRoom) == 0;
    }
}

using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// FRIEND_RESPOND (0x002C): the answer to a friend request. Accepting is answered with USER_CARD
/// (the new friend), declining with OK.
/// <code>u32 ocNumber, u8 accept (1 = accept, 0 = decline)</code>
/// </summary>
public readonly record struct FriendRespond(uint OcNumber, bool Accept)
{
    public static void Write(ByteBuffer buffer, uint requestId, in FriendRespond respond)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FriendRespond, requestId);
        w.WriteU32(respond.OcNumber);
        w.WriteU8(respond.Accept ? (byte)1 : (byte)0);
        w.End();
    }

    /// <summary>False for a payload of the wrong length or an <c>accept</c> other than 0 or 1.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out FriendRespond respond)
    {
        var r = new PayloadReader(payload);
        uint number = r.ReadU32();
        byte accept = r.ReadU8();
        respond = new FriendRespond(number, accept == 1);
        return r.Done && accept <= 1;
    }
}

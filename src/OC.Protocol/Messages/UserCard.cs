using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// One user as another user sees them. Carried by USER_CARD (0x0021, the reply to FIND_USER) and
/// FRIEND_ADDED (0x0026, an event: someone became your friend).
/// <code>u32 ocNumber, string nick, u8 online (0/1), u8 friend (0/1)</code>
/// </summary>
public readonly record struct UserCard(uint OcNumber, string Nick, bool Online, bool Friend)
{
    /// <summary>The smallest entry on the wire (an empty nick): u32, u16, u8, u8.</summary>
    internal const int MinBytes = 4 + 2 + 1 + 1;

    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, in UserCard card)
    {
        var w = FrameWriter.Begin(buffer, type, requestId);
        WriteFields(ref w, card);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out UserCard card)
    {
        var r = new PayloadReader(payload);
        card = ReadFields(ref r);
        return r.Done;
    }

    internal static void WriteFields(ref FrameWriter w, in UserCard card)
    {
        w.WriteU32(card.OcNumber);
        w.WriteString(card.Nick);
        w.WriteU8(card.Online ? (byte)1 : (byte)0);
        w.WriteU8(card.Friend ? (byte)1 : (byte)0);
    }

    internal static UserCard ReadFields(ref PayloadReader r) =>
        new(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadU8() != 0, r.ReadU8() != 0);
}

using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// PRESENCE (0x0028), an event to every session of each online friend when a user's first
/// session comes online or their last one goes away.
/// <code>u32 ocNumber, u8 online (0/1)</code>
/// </summary>
public readonly record struct PresenceEvent(uint OcNumber, bool Online)
{
    public static void Write(ByteBuffer buffer, in PresenceEvent presence)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Presence, Frame.NoRequest);
        w.WriteU32(presence.OcNumber);
        w.WriteU8(presence.Online ? (byte)1 : (byte)0);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out PresenceEvent presence)
    {
        var r = new PayloadReader(payload);
        presence = new PresenceEvent(r.ReadU32(), r.ReadU8() != 0);
        return r.Done;
    }
}

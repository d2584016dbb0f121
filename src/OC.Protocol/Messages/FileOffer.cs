using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// FILE_OFFER (0x0040), client → appliance: "I want to send this file to a friend" (or to a room).
/// <code>u32 to, string name (1..255 bytes of UTF-8), u64 size, bytes sha256 (32) [, u8 flags]</code>
/// Reply: FILE_ACCEPTED. With flags bit 0 (<see cref="HashAtEnd"/>) the 32 bytes are the client's
/// key for this upload (what a resume is recognised by) and the SHA-256 of the content follows
/// in FILE_SEAL, so the client hashes while it sends instead of before. Without the flags byte,
/// or 0, they are the content's SHA-256. With flags bit 1 (<see cref="ToRoom"/>) <c>to</c> is a
/// room id, not an OC number ("Room files"): the flag, not the number, says which space it is in.
/// The name is read with a larger bound here so that an over-long one gets a clear
/// InvalidArgument instead of closing the connection.
/// </summary>
public readonly record struct FileOffer(uint To, string Name, ulong Size, byte[] Sha256, bool HashAtEnd = false, bool ToRoom = false)
{
    /// <summary>Names up to this many bytes parse; the appliance then refuses those above 255.</summary>
    public const int ParseNameBytes = 4096;

    private const byte FlagHashAtEnd = 1;
    private const byte FlagToRoom = 2;
    private const byte KnownFlags = FlagHashAtEnd | FlagToRoom;

    public static void Write(ByteBuffer buffer, uint requestId, in FileOffer offer)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileOffer, requestId);
        w.WriteU32(offer.To);
        w.WriteString(offer.Name);
        w.WriteU64(offer.Size);
        w.WriteBytes(offer.Sha256);
        // No flags byte when there are none: a 1:1 offer keeps the bytes it always had.
        byte flags = (byte)((offer.HashAtEnd ? FlagHashAtEnd : 0) | (offer.ToRoom ? FlagToRoom : 0));
        if (flags != 0) w.WriteU8(flags);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FileOffer offer)
    {
        var r = new PayloadReader(payload);
        uint to = r.ReadU32();
        string name = r.ReadString(ParseNameBytes);
        ulong size = r.ReadU64();
        var sha = r.ReadBytes(ProtocolLimits.Sha256Bytes);
        byte flags = r.Ok && r.Remaining > 0 ? r.ReadU8() : (byte)0;
        offer = new FileOffer(to, name, size, sha.ToArray(), (flags & FlagHashAtEnd) != 0, (flags & FlagToRoom) != 0);
        // Unknown flags are refused: they would change what the offer means.
        return r.Done && sha.Length == ProtocolLimits.Sha256Bytes && (flags & ~KnownFlags) == 0;
    }
}

using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// FILE_OFFER (0x0040), client → appliance: "I want to send this file to a friend".
/// <code>u32 to, string name (1..255 bytes of UTF-8), u64 size, bytes sha256 (32)</code>
/// Reply: FILE_ACCEPTED. The name is read with a larger bound here so that an over-long one gets
/// a clear InvalidArgument instead of closing the connection.
/// </summary>
public readonly record struct FileOffer(uint To, string Name, ulong Size, byte[] Sha256)
{
    /// <summary>Names up to this many bytes parse; the appliance then refuses those above 255.</summary>
    public const int ParseNameBytes = 4096;

    public static void Write(ByteBuffer buffer, uint requestId, in FileOffer offer)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileOffer, requestId);
        w.WriteU32(offer.To);
        w.WriteString(offer.Name);
        w.WriteU64(offer.Size);
        w.WriteBytes(offer.Sha256);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FileOffer offer)
    {
        var r = new PayloadReader(payload);
        uint to = r.ReadU32();
        string name = r.ReadString(ParseNameBytes);
        ulong size = r.ReadU64();
        var sha = r.ReadBytes(ProtocolLimits.Sha256Bytes);
        offer = new FileOffer(to, name, size, sha.ToArray());
        return r.Done && sha.Length == ProtocolLimits.Sha256Bytes;
    }
}

using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// FILE_SEAL (0x004A), client → appliance, a request: the SHA-256 of an upload offered with the
/// hash at the end, sent after its last FILE_CHUNK.
/// <code>u64 fileId, bytes sha256 (32)</code>
/// Reply: FILE_ENTRIES with the one file, complete and visible to the recipient; ERROR
/// FileRejected when the hash does not match what the appliance stored (the upload is deleted).
/// </summary>
public readonly record struct FileSeal(ulong FileId, byte[] Sha256)
{
    public static void Write(ByteBuffer buffer, uint requestId, in FileSeal seal)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileSeal, requestId);
        w.WriteU64(seal.FileId);
        w.WriteBytes(seal.Sha256);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FileSeal seal)
    {
        var r = new PayloadReader(payload);
        ulong id = r.ReadU64();
        var sha = r.ReadBytes(ProtocolLimits.Sha256Bytes);
        seal = new FileSeal(id, sha.ToArray());
        return r.Done && sha.Length == ProtocolLimits.Sha256Bytes;
    }
}

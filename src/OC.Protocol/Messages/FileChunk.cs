using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// FILE_CHUNK (0x0042, client → appliance) and FILE_DATA (0x0047, appliance → client): stream
/// frames with request id 0, not requests.
/// <code>u64 fileId, u64 offset, data (the rest of the payload, 1..262144 bytes)</code>
/// </summary>
public static class FileChunk
{
    public const int HeaderBytes = 16;

    public static void Write(ByteBuffer buffer, FrameType type, ulong fileId, ulong offset, ReadOnlySpan<byte> data)
    {
        var w = FrameWriter.Begin(buffer, type, Frame.NoRequest);
        w.WriteU64(fileId);
        w.WriteU64(offset);
        w.WriteRaw(data);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ulong fileId, out ulong offset, out ReadOnlySpan<byte> data)
    {
        var r = new PayloadReader(payload);
        fileId = r.ReadU64();
        offset = r.ReadU64();
        data = r.ReadRest();
        return r.Done;
    }
}

/// <summary>
/// FILE_ACK (0x0048), client → appliance, a stream frame (request id 0): the client has received
/// (and written) a download up to <c>offset</c>; the appliance keeps at most a window beyond it in flight.
/// <code>u64 fileId, u64 offset</code>
/// FILE_GET (0x0046), client → appliance, a request with the same layout: start a download at
/// <c>offset</c>. Reply: FILE_ENTRIES with the one file, then FILE_DATA frames.
/// </summary>
public static class FilePosition
{
    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, ulong fileId, ulong offset)
    {
        var w = FrameWriter.Begin(buffer, type, requestId);
        w.WriteU64(fileId);
        w.WriteU64(offset);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ulong fileId, out ulong offset)
    {
        var r = new PayloadReader(payload);
        fileId = r.ReadU64();
        offset = r.ReadU64();
        return r.Done;
    }
}

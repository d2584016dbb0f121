using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// One session of the asking user in SESSION_LIST. <paramref name="Id"/> is what SESSION_REVOKE
/// takes (shown as 8 hex digits); <paramref name="Address"/> is the client address of the last
/// login or resume, as text. <paramref name="Current"/>: the session of the connection that asked;
/// <paramref name="Connected"/>: some connection is logged in with it now (its last use is then now).
/// </summary>
public readonly record struct SessionEntry(uint Id, string Device, string Address, long CreatedUnixMs, long LastUsedUnixMs, bool Current, bool Connected)
{
    private const byte FlagCurrent = 1;
    private const byte FlagConnected = 2;

    internal static void WriteFields(ref FrameWriter w, in SessionEntry e)
    {
        w.WriteU32(e.Id);
        w.WriteString(e.Device);
        w.WriteString(e.Address);
        w.WriteI64(e.CreatedUnixMs);
        w.WriteI64(e.LastUsedUnixMs);
        w.WriteU8((byte)((e.Current ? FlagCurrent : 0) | (e.Connected ? FlagConnected : 0)));
    }

    internal static SessionEntry ReadFields(ref PayloadReader r)
    {
        uint id = r.ReadU32();
        string device = r.ReadString(ProtocolLimits.MaxDeviceBytes);
        string address = r.ReadString(ProtocolLimits.MaxAddressBytes);
        long created = r.ReadI64();
        long lastUsed = r.ReadI64();
        byte flags = r.ReadU8();
        return new SessionEntry(id, device, address, created, lastUsed, (flags & FlagCurrent) != 0, (flags & FlagConnected) != 0);
    }
}

/// <summary>
/// SESSION_LIST (0x001B), appliance → client, the reply to SESSIONS (0x001A, empty payload): the
/// user's sessions that have not ended or expired, most recently used first.
/// <code>u16 count, then count × (u32 id, string device, string address, i64 createdUnixMs,
/// i64 lastUsedUnixMs, u8 flags: bit 0 = this connection's session, bit 1 = connected now)</code>
/// </summary>
public static class SessionList
{
    /// <summary>The most entries one reply carries (the most recently used).</summary>
    public const int MaxEntries = 1000;

    public static void Write(ByteBuffer buffer, uint requestId, IReadOnlyList<SessionEntry> sessions)
    {
        int count = Math.Min(sessions.Count, MaxEntries);
        var w = FrameWriter.Begin(buffer, FrameType.SessionList, requestId);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++) SessionEntry.WriteFields(ref w, sessions[i]);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out List<SessionEntry> sessions)
    {
        var r = new PayloadReader(payload);
        int count = r.ReadU16();
        sessions = new List<SessionEntry>(Math.Min(count, 64));
        for (int i = 0; i < count && r.Ok; i++) sessions.Add(SessionEntry.ReadFields(ref r));
        return r.Done;
    }
}

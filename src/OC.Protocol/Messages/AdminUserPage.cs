using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// One account in ADMIN_USER_PAGE: what the appliance's administrator sees of it (never its keys).
/// <paramref name="LastUsedUnixMs"/> is the latest last use of its sessions, 0 when it has none.
/// </summary>
public readonly record struct AdminUserEntry(uint OcNumber, string Nick, string Email, long CreatedUnixMs, ushort Sessions, long LastUsedUnixMs)
{
    internal static void WriteFields(ref FrameWriter w, in AdminUserEntry e)
    {
        w.WriteU32(e.OcNumber);
        w.WriteString(e.Nick);
        w.WriteString(e.Email);
        w.WriteI64(e.CreatedUnixMs);
        w.WriteU16(e.Sessions);
        w.WriteI64(e.LastUsedUnixMs);
    }

    internal static AdminUserEntry ReadFields(ref PayloadReader r) => new(
        r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadString(ProtocolLimits.MaxEmailBytes),
        r.ReadI64(), r.ReadU16(), r.ReadI64());
}

/// <summary>
/// ADMIN_USERS (0x0078), admin socket only: a page of the accounts with an OC number above
/// <c>afterNumber</c> (0 for the first page), in number order.
/// <code>u32 afterNumber</code>
/// Reply: ADMIN_USER_PAGE (0x0079):
/// <code>u8 more, u16 count, count × (u32 ocNumber, string nick, string email, i64 createdUnixMs,
/// u16 sessions, i64 lastUsedUnixMs)</code>
/// <c>more</c> = 1: ask again with the last number of the page.
/// </summary>
public static class AdminUserPage
{
    /// <summary>Accounts per page: under 350 bytes each, a page stays well inside the 1 MiB frame limit.</summary>
    public const int MaxEntries = 1000;

    public static void WriteRequest(ByteBuffer buffer, uint requestId, uint afterNumber)
    {
        var w = FrameWriter.Begin(buffer, FrameType.AdminUsers, requestId);
        w.WriteU32(afterNumber);
        w.End();
    }

    public static bool TryReadRequest(ReadOnlySpan<byte> payload, out uint afterNumber)
    {
        var r = new PayloadReader(payload);
        afterNumber = r.ReadU32();
        return r.Done;
    }

    public static void Write(ByteBuffer buffer, uint requestId, IReadOnlyList<AdminUserEntry> users, bool more)
    {
        int count = Math.Min(users.Count, MaxEntries);
        var w = FrameWriter.Begin(buffer, FrameType.AdminUserPage, requestId);
        w.WriteU8(more ? (byte)1 : (byte)0);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++) AdminUserEntry.WriteFields(ref w, users[i]);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out List<AdminUserEntry> users, out bool more)
    {
        var r = new PayloadReader(payload);
        more = r.ReadU8() != 0;
        int count = r.ReadU16();
        users = new List<AdminUserEntry>(Math.Min(count, MaxEntries));
        for (int i = 0; i < count && r.Ok; i++) users.Add(AdminUserEntry.ReadFields(ref r));
        return r.Done;
    }
}

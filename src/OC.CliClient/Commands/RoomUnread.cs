using System.Globalization;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary>
/// What is unread in a room, for <c>oc rooms</c>: the messages and files of others among the
/// room's newest <see cref="Window"/> entries whose seq is above the user's cursor (the one oc
/// listen, oc chat and oc history keep, <see cref="CursorStore"/>) and not among those seen above
/// it. Membership changes and the user's own messages do not count.
/// </summary>
internal static class RoomUnread
{
    /// <summary>How many of a room's newest entries are looked at: one ROOM_HISTORY page each.</summary>
    public const int Window = 100;

    /// <summary>
    /// The unread count of one page of the newest entries, and whether there may be more (every
    /// entry of the page is above the cursor and older ones exist). Pure.
    /// </summary>
    public static (int Unread, bool More) Count(IReadOnlyList<RoomMessage> newest, bool olderExist, Cursor cursor, uint me)
    {
        bool Unseen(RoomMessage e) => e.Seq > cursor.Seq && !cursor.SeenAbove.Contains(e.Seq);
        int unread = newest.Count(e => Unseen(e) && RoomLines.IsSaid(e) && e.From != me);
        bool more = olderExist && newest.Count > 0 && newest[0].Seq > cursor.Seq;
        return (unread, more);
    }

    /// <summary>The unread count of each room (ROOM_HISTORY, one page each); null from an appliance without room messages.</summary>
    public static async Task<Dictionary<uint, (int Unread, bool More)>?> CountAsync(ApplianceLink link, IEnumerable<uint> rooms, Cursor cursor, uint me,
        CancellationToken cancellationToken)
    {
        var counts = new Dictionary<uint, (int, bool)>();
        foreach (uint roomId in rooms)
        {
            try
            {
                var (more, newest) = await link.CallAsync((c, t) => OcRoomMessages.HistoryAsync(c, roomId, 0, Window, t), cancellationToken).ConfigureAwait(false);
                counts[roomId] = Count(newest, more, cursor, me);
            }
            catch (OcErrorException e) when (e.Code == ErrorCode.UnknownFrameType)
            {
                return null;
            }
            catch (OcErrorException e) when (e.Code is ErrorCode.NotRoomMember or ErrorCode.UnknownRoom)
            {
                // Left or deleted between ROOM_LIST and here: nothing to count.
            }
        }

        return counts;
    }

    /// <summary>"  3 unread", "  40+ unread", "  99+ unread", or nothing for none (among the entries looked at).</summary>
    public static string Text(int unread, bool more = false) =>
        unread == 0 ? "" : "  " + Shown(unread, more) + " unread";

    /// <summary>An unread count as shown: "99+" at most; "N+" when more may exist beyond the entries looked at.</summary>
    public static string Shown(int unread, bool more) =>
        unread > 99 || (more && unread >= 99) ? "99+" : unread.ToString(CultureInfo.InvariantCulture) + (more ? "+" : "");
}

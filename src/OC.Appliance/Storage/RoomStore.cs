using LiteDB;
using OC.Protocol;

namespace OC.Appliance.Storage;

/// <summary>A room as stored: its id (own 6-digit space), name, owner and whether anyone may join.</summary>
internal sealed record RoomRecord(int Id, string Name, int Owner, bool Open, DateTime CreatedUtc);

/// <summary>
/// Rooms and their members and invitations, three collections: "rooms" (_id = the room id, an int
/// in 100000..999999 drawn at random, a space of its own: room 123456 and user 123456 are
/// unrelated), "room_members" (_id "room:number", both indexed: a room finds its members and a
/// user their rooms) and "room_invites" (_id "room:to", both indexed). A room's last member
/// leaving deletes it with its invitations. Storage thread only.
/// </summary>
internal static class RoomStore
{
    private const string Rooms = "rooms";
    private const string Members = "room_members";
    private const string Invites = "room_invites";
    private const string NameField = "name";
    private const string OwnerField = "owner";
    private const string OpenField = "open";
    private const string CreatedField = "created";
    private const string RoomField = "room";
    private const string NumberField = "number";
    private const string JoinedField = "joined";
    private const string ToField = "to";
    private const string FromField = "from";

    internal static void EnsureIndexes(LiteDatabase db)
    {
        var members = db.GetCollection(Members);
        members.EnsureIndex(RoomField);
        members.EnsureIndex(NumberField);
        var invites = db.GetCollection(Invites);
        invites.EnsureIndex(RoomField);
        invites.EnsureIndex(ToField);
    }

    internal static RoomRecord? Find(LiteDatabase db, int roomId) =>
        db.GetCollection(Rooms).FindById(roomId) is { } doc ? Read(doc) : null;

    /// <summary>A new room with its creator as owner and first member; null when no id is free (never, in practice).</summary>
    internal static RoomRecord? Create(LiteDatabase db, string name, int owner, bool open, DateTime nowUtc)
    {
        var rooms = db.GetCollection(Rooms);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            int id = Random.Shared.Next(OcNumber.Min, OcNumber.Max + 1);
            if (rooms.FindById(id) is not null) continue;
            var room = new RoomRecord(id, name, owner, open, nowUtc);
            rooms.Insert(Write(room));
            AddMember(db, id, owner, nowUtc);
            return room;
        }
        return null;
    }

    internal static void SetOwner(LiteDatabase db, RoomRecord room, int owner) =>
        db.GetCollection(Rooms).Update(Write(room with { Owner = owner }));

    internal static bool IsMember(LiteDatabase db, int roomId, int number) =>
        db.GetCollection(Members).FindById(PairId(roomId, number)) is not null;

    internal static void AddMember(LiteDatabase db, int roomId, int number, DateTime nowUtc) =>
        db.GetCollection(Members).Upsert(new BsonDocument
        {
            ["_id"] = PairId(roomId, number),
            [RoomField] = roomId,
            [NumberField] = number,
            [JoinedField] = StoredTime.Utc(nowUtc),
        });

    /// <summary>Removes a member; deletes the room and its invitations when nobody is left. True when the room is gone.</summary>
    internal static bool RemoveMember(LiteDatabase db, int roomId, int number)
    {
        db.GetCollection(Members).Delete(PairId(roomId, number));
        if (CountMembers(db, roomId) > 0) return false;
        db.GetCollection(Invites).DeleteMany(Query.EQ(RoomField, roomId));
        db.GetCollection(Rooms).Delete(roomId);
        return true;
    }

    /// <summary>The members ordered by OC number.</summary>
    internal static List<int> MembersOf(LiteDatabase db, int roomId)
    {
        var result = new List<int>();
        foreach (var doc in db.GetCollection(Members).Find(Query.EQ(RoomField, roomId))) result.Add(doc[NumberField].AsInt32);
        result.Sort();
        return result;
    }

    /// <summary>
    /// A deleted account leaves every room (an emptied room goes, a room it owned passes to the
    /// member with the lowest number) and its invitations, sent and received, go. The rooms'
    /// streams get the Left entries from the reconciliation with the message log.
    /// </summary>
    internal static void RemoveUserEverywhere(LiteDatabase db, int number)
    {
        foreach (int roomId in RoomsOf(db, number))
        {
            if (RemoveMember(db, roomId, number)) continue;
            if (Find(db, roomId) is { } room && room.Owner == number) SetOwner(db, room, MembersOf(db, roomId)[0]);
        }
        var invites = db.GetCollection(Invites);
        invites.DeleteMany(Query.EQ(ToField, number));
        invites.DeleteMany(Query.EQ(FromField, number));
    }

    /// <summary>Every (room, member) pair (the start-up check against the message log's spans).</summary>
    internal static HashSet<(int Room, int Member)> AllMembers(LiteDatabase db)
    {
        var result = new HashSet<(int, int)>();
        foreach (var doc in db.GetCollection(Members).FindAll()) result.Add((doc[RoomField].AsInt32, doc[NumberField].AsInt32));
        return result;
    }

    internal static int CountMembers(LiteDatabase db, int roomId) => db.GetCollection(Members).Count(Query.EQ(RoomField, roomId));

    /// <summary>The rooms a user is a member of, ordered by id.</summary>
    internal static List<int> RoomsOf(LiteDatabase db, int number)
    {
        var result = new List<int>();
        foreach (var doc in db.GetCollection(Members).Find(Query.EQ(NumberField, number))) result.Add(doc[RoomField].AsInt32);
        result.Sort();
        return result;
    }

    internal static int CountRoomsOf(LiteDatabase db, int number) => db.GetCollection(Members).Count(Query.EQ(NumberField, number));

    internal static bool IsInvited(LiteDatabase db, int roomId, int to) =>
        db.GetCollection(Invites).FindById(PairId(roomId, to)) is not null;

    internal static void Invite(LiteDatabase db, int roomId, int from, int to, DateTime nowUtc) =>
        db.GetCollection(Invites).Upsert(new BsonDocument
        {
            ["_id"] = PairId(roomId, to),
            [RoomField] = roomId,
            [ToField] = to,
            [FromField] = from,
            [CreatedField] = StoredTime.Utc(nowUtc),
        });

    /// <summary>Removes the invitation and says who sent it (0 when there was none).</summary>
    internal static int RemoveInvite(LiteDatabase db, int roomId, int to)
    {
        var invites = db.GetCollection(Invites);
        var id = PairId(roomId, to);
        if (invites.FindById(id) is not { } doc) return 0;
        invites.Delete(id);
        return doc[FromField].AsInt32;
    }

    /// <summary>The invitations to a user, oldest first, at most <paramref name="limit"/> (the newest kept).</summary>
    internal static List<(int Room, int From, DateTime CreatedUtc)> InvitesTo(LiteDatabase db, int to, int limit)
    {
        var result = new List<(int Room, int From, DateTime CreatedUtc)>();
        foreach (var doc in db.GetCollection(Invites).Find(Query.EQ(ToField, to)))
        {
            result.Add((doc[RoomField].AsInt32, doc[FromField].AsInt32, doc[CreatedField].AsDateTime.ToUniversalTime()));
        }
        result.Sort((x, y) => x.CreatedUtc != y.CreatedUtc ? x.CreatedUtc.CompareTo(y.CreatedUtc) : x.Room.CompareTo(y.Room));
        if (result.Count > limit) result.RemoveRange(0, result.Count - limit);
        return result;
    }

    internal static int Count(LiteDatabase db) => db.GetCollection(Rooms).Count();

    private static BsonDocument Write(RoomRecord room) => new()
    {
        ["_id"] = room.Id,
        [NameField] = room.Name,
        [OwnerField] = room.Owner,
        [OpenField] = room.Open,
        [CreatedField] = StoredTime.Utc(room.CreatedUtc),
    };

    private static RoomRecord Read(BsonDocument doc) =>
        new(doc["_id"].AsInt32, doc[NameField].AsString, doc[OwnerField].AsInt32, doc[OpenField].AsBoolean,
            doc[CreatedField].AsDateTime.ToUniversalTime());

    private static string PairId(int roomId, int number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{roomId}:{number}");
}

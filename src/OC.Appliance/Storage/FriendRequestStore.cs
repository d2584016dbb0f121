using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>
/// Friend requests waiting for an answer: one document per request in "friend_requests", with
/// _id "from:to" (a request has a direction; the reverse one is another document), and both
/// numbers indexed so the asker finds what they sent and the one asked what they got. A request
/// goes when it is accepted, declined or withdrawn, when the two become friends another way, or
/// when either blocks the other. Storage thread only.
/// </summary>
internal static class FriendRequestStore
{
    private const string Requests = "friend_requests";
    private const string FromField = "from";
    private const string ToField = "to";
    private const string CreatedField = "created";

    internal static void EnsureIndexes(LiteDatabase db)
    {
        var requests = db.GetCollection(Requests);
        requests.EnsureIndex(FromField);
        requests.EnsureIndex(ToField);
    }

    internal static bool Exists(LiteDatabase db, int from, int to) =>
        db.GetCollection(Requests).FindById(Id(from, to)) is not null;

    /// <summary>Stores a request; false when the same one is waiting already.</summary>
    internal static bool Add(LiteDatabase db, int from, int to, DateTime nowUtc)
    {
        var requests = db.GetCollection(Requests);
        var id = Id(from, to);
        if (requests.FindById(id) is not null) return false;
        requests.Insert(new BsonDocument
        {
            ["_id"] = id,
            [FromField] = from,
            [ToField] = to,
            [CreatedField] = StoredTime.Utc(nowUtc),
        });
        return true;
    }

    /// <summary>False when there was no such request.</summary>
    internal static bool Remove(LiteDatabase db, int from, int to) => db.GetCollection(Requests).Delete(Id(from, to));

    /// <summary>Removes the requests in both directions between two users; returns how many there were (0..2).</summary>
    internal static int RemoveBetween(LiteDatabase db, int a, int b) =>
        (Remove(db, a, b) ? 1 : 0) + (Remove(db, b, a) ? 1 : 0);

    internal static int CountFrom(LiteDatabase db, int from) => db.GetCollection(Requests).Count(Queries.Equal(FromField, from));

    /// <summary>The requests to <paramref name="number"/> (who asked, when), oldest first, at most <paramref name="limit"/>.</summary>
    internal static List<(int Number, DateTime CreatedUtc)> To(LiteDatabase db, int number, int limit) =>
        Find(db, ToField, number, FromField, limit);

    /// <summary>The requests from <paramref name="number"/> (whom they asked, when), oldest first, at most <paramref name="limit"/>.</summary>
    internal static List<(int Number, DateTime CreatedUtc)> From(LiteDatabase db, int number, int limit) =>
        Find(db, FromField, number, ToField, limit);

    internal static int Count(LiteDatabase db) => db.GetCollection(Requests).Count();

    private static List<(int Number, DateTime CreatedUtc)> Find(LiteDatabase db, string field, int number, string other, int limit)
    {
        var result = new List<(int Number, DateTime CreatedUtc)>();
        foreach (var doc in db.GetCollection(Requests).Find(Queries.Equal(field, number)))
        {
            result.Add((doc[other].AsInt32, doc[CreatedField].AsDateTime.ToUniversalTime()));
        }
        result.Sort((x, y) => x.CreatedUtc != y.CreatedUtc ? x.CreatedUtc.CompareTo(y.CreatedUtc) : x.Number.CompareTo(y.Number));
        if (result.Count > limit) result.RemoveRange(0, result.Count - limit); // the newest are kept
        return result;
    }

    private static string Id(int from, int to) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{from}:{to}");
}

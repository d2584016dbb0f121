using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>
/// Friendships, mutual (made by an accepted request, or at once with --friends open): one document per pair in "friends", with
/// _id "low:high" (the two OC numbers in order) so a pair exists at most once, and both numbers
/// indexed so either side finds its friends. Storage thread only.
/// </summary>
internal static class FriendStore
{
    private const string Friends = "friends";
    private const string LowField = "low";
    private const string HighField = "high";
    private const string CreatedField = "created";

    /// <summary>Called once when the database is opened.</summary>
    internal static void EnsureIndexes(LiteDatabase db)
    {
        var friends = db.GetCollection(Friends);
        friends.EnsureIndex(LowField);
        friends.EnsureIndex(HighField);
    }

    internal static bool AreFriends(LiteDatabase db, int a, int b) =>
        db.GetCollection(Friends).FindById(PairId(a, b)) is not null;

    /// <summary>False when they were friends already.</summary>
    internal static bool Add(LiteDatabase db, int a, int b, DateTime nowUtc)
    {
        var friends = db.GetCollection(Friends);
        var id = PairId(a, b);
        if (friends.FindById(id) is not null) return false;
        friends.Insert(new BsonDocument
        {
            ["_id"] = id,
            [LowField] = Math.Min(a, b),
            [HighField] = Math.Max(a, b),
            [CreatedField] = StoredTime.Utc(nowUtc),
        });
        return true;
    }

    /// <summary>False when they were not friends.</summary>
    internal static bool Remove(LiteDatabase db, int a, int b) => db.GetCollection(Friends).Delete(PairId(a, b));

    internal static List<int> FriendsOf(LiteDatabase db, int number)
    {
        var friends = db.GetCollection(Friends);
        var result = new List<int>();
        foreach (var doc in friends.Find(Queries.Equal(LowField, number))) result.Add(doc[HighField].AsInt32);
        foreach (var doc in friends.Find(Queries.Equal(HighField, number))) result.Add(doc[LowField].AsInt32);
        result.Sort();
        return result;
    }

    internal static int Count(LiteDatabase db) => db.GetCollection(Friends).Count();

    /// <summary>What the loop keeps in memory for a user who logs in: friends, and blocks both ways.</summary>
    internal static UserRelations RelationsOf(LiteDatabase db, int number) =>
        new(FriendsOf(db, number), BlockStore.Blocking(db, number), BlockStore.BlockersOf(db, number));

    private static string PairId(int a, int b) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Math.Min(a, b)}:{Math.Max(a, b)}");
}

using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>
/// Blocks: one document per block in "blocks", with _id "blocker:blocked" (a block has a
/// direction: each of two users may block the other), both numbers indexed so a user finds
/// whom they block and who blocks them. Storage thread only.
/// </summary>
internal static class BlockStore
{
    private const string Blocks = "blocks";
    private const string BlockerField = "blocker";
    private const string BlockedField = "blocked";
    private const string CreatedField = "created";

    internal static void EnsureIndexes(LiteDatabase db)
    {
        var blocks = db.GetCollection(Blocks);
        blocks.EnsureIndex(BlockerField);
        blocks.EnsureIndex(BlockedField);
    }

    internal static bool IsBlocking(LiteDatabase db, int blocker, int blocked) =>
        db.GetCollection(Blocks).FindById(Id(blocker, blocked)) is not null;

    /// <summary>False when the block stood already.</summary>
    internal static bool Add(LiteDatabase db, int blocker, int blocked, DateTime nowUtc)
    {
        var blocks = db.GetCollection(Blocks);
        var id = Id(blocker, blocked);
        if (blocks.FindById(id) is not null) return false;
        blocks.Insert(new BsonDocument
        {
            ["_id"] = id,
            [BlockerField] = blocker,
            [BlockedField] = blocked,
            [CreatedField] = StoredTime.Utc(nowUtc),
        });
        return true;
    }

    /// <summary>False when there was no such block.</summary>
    internal static bool Remove(LiteDatabase db, int blocker, int blocked) => db.GetCollection(Blocks).Delete(Id(blocker, blocked));

    /// <summary>Whom <paramref name="blocker"/> blocks, with since when, ordered by OC number, at most <paramref name="limit"/>.</summary>
    internal static List<(int Number, DateTime SinceUtc)> BlockedBy(LiteDatabase db, int blocker, int limit)
    {
        var result = new List<(int Number, DateTime SinceUtc)>();
        foreach (var doc in db.GetCollection(Blocks).Find(Queries.Equal(BlockerField, blocker)))
        {
            result.Add((doc[BlockedField].AsInt32, doc[CreatedField].AsDateTime.ToUniversalTime()));
        }
        result.Sort((x, y) => x.Number.CompareTo(y.Number));
        if (result.Count > limit) result.RemoveRange(limit, result.Count - limit);
        return result;
    }

    /// <summary>The numbers <paramref name="number"/> blocks.</summary>
    internal static List<int> Blocking(LiteDatabase db, int number)
    {
        var result = new List<int>();
        foreach (var doc in db.GetCollection(Blocks).Find(Queries.Equal(BlockerField, number))) result.Add(doc[BlockedField].AsInt32);
        return result;
    }

    /// <summary>The numbers that block <paramref name="number"/>.</summary>
    internal static List<int> BlockersOf(LiteDatabase db, int number)
    {
        var result = new List<int>();
        foreach (var doc in db.GetCollection(Blocks).Find(Queries.Equal(BlockedField, number))) result.Add(doc[BlockerField].AsInt32);
        return result;
    }

    internal static int Count(LiteDatabase db) => db.GetCollection(Blocks).Count();

    private static string Id(int blocker, int blocked) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{blocker}:{blocked}");
}

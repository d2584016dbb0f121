using LiteDB;
using OC.Appliance.Storage;

namespace OC.Tests.Storage;

/// <summary>
/// Lookups by user keep their value out of the expression's text: LiteDB caches every parsed
/// expression by its text for good, so a value in it costs memory for every user who ever logged in.
/// </summary>
public sealed class QueriesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_text_of_a_lookup_is_the_same_for_every_user()
    {
        var first = Queries.Equal("user", 123456);
        var second = Queries.Equal("user", 654321);

        Assert.Equal(first.Source, second.Source);
        Assert.DoesNotContain("123456", first.Source, StringComparison.Ordinal);
        Assert.Equal(123456, first.Parameters["0"].AsInt32);
        Assert.Equal(654321, second.Parameters["0"].AsInt32);
    }

    [Fact]
    public void A_parameterised_lookup_finds_the_same_documents_through_the_index()
    {
        using var db = new LiteDatabase(Path.Combine(_dir.Path, "q.db"));
        var collection = db.GetCollection("sessions");
        collection.EnsureIndex("user");
        for (int i = 0; i < 50; i++) collection.Insert(new BsonDocument { ["user"] = i % 5, ["n"] = i });

        var found = collection.Find(Queries.Equal("user", 3)).Select(d => d["n"].AsInt32).Order().ToList();
        var plan = collection.Query().Where(Queries.Equal("user", 3)).GetPlan();

        Assert.Equal(Enumerable.Range(0, 50).Where(i => i % 5 == 3).ToList(), found);
        Assert.Equal("user", plan["index"]["name"].AsString);
        Assert.StartsWith("INDEX SEEK", plan["index"]["mode"].AsString, StringComparison.Ordinal);
        Assert.Equal(10, collection.Count(Queries.AtMost("n", 9)));
        Assert.Equal(40, collection.Count(Queries.Greater("n", 9)));
    }
}

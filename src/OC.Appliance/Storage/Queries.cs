using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>
/// Comparisons with their value as a parameter (<c>field = @0</c>). LiteDB's own <c>Query.EQ(field,
/// value)</c> writes the value into the expression's text (<c>user = 123456</c>), and LiteDB keeps
/// every expression it parsed, by its text, for the life of the process: ~1 KB of compiled
/// expression per distinct value, six for every user who ever logged in (their friends, blocks,
/// requests and sessions looked up), measured as 12,017 cached expressions after 2,000 logins
/// (docs/performance.md, "idle"). With the value as a parameter the text is the same for every
/// user and is parsed once; an index is still used (a parameter is a value to LiteDB's planner).
/// </summary>
internal static class Queries
{
    public static BsonExpression Equal(string field, BsonValue value) => BsonExpression.Create(field + " = @0", value);

    public static BsonExpression Greater(string field, BsonValue value) => BsonExpression.Create(field + " > @0", value);

    public static BsonExpression AtMost(string field, BsonValue value) => BsonExpression.Create(field + " <= @0", value);
}

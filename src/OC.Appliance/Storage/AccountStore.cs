using System.Security.Cryptography;
using LiteDB;
using OC.Protocol;

namespace OC.Appliance.Storage;

/// <summary>
/// Accounts, sessions and the appliance's identity, mapped to BsonDocuments by hand: under
/// NativeAOT LiteDB's reflection mapper (GetCollection&lt;T&gt;, BsonMapper) silently stores
/// empty documents. Every method runs on the storage thread, inside a <see cref="StorageJob"/>.
/// </summary>
/// <remarks>
/// Collections: "users" (_id = OC number, int32), "sessions" (_id = <see cref="SessionTokens.Hash"/>
/// of the token, never the token), "meta" (one document, _id "appliance"). Dates are stored
/// by LiteDB as UTC with millisecond precision and read back as local time, so they are
/// normalised on the way in and out.
/// </remarks>
internal static class AccountStore
{
    internal const int SchemaVersion = 1;

    // With even half of all 900,000 numbers taken, 64 misses in a row has odds of 2^-64.
    private const int MaxNumberAttempts = 64;

    private const string Users = "users";
    private const string Sessions = "sessions";
    private const string Meta = "meta";
    private const string ApplianceDocId = "appliance";

    private const string IdField = "_id";
    private const string NickField = "nick";
    private const string EmailField = "email";
    private const string SaltField = "salt";
    private const string IterationsField = "iterations";
    private const string StoredKeyField = "storedKey";
    private const string ServerKeyField = "serverKey";
    private const string CreatedField = "created";
    private const string UserField = "user";
    private const string LastUsedField = "lastUsed";
    private const string ApplianceIdField = "applianceId";
    private const string SchemaField = "schema";

    /// <summary>
    /// Inserts a user under a random free OC number. The "is it free" check cannot race: only
    /// the storage thread writes, and a duplicate _id would make the insert throw anyway.
    /// </summary>
    /// <exception cref="InvalidOperationException">No free number was found.</exception>
    internal static UserRecord CreateUser(LiteDatabase db, string nick, string email, byte[] salt, int iterations,
        byte[] storedKey, byte[] serverKey, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(nick);
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(storedKey);
        ArgumentNullException.ThrowIfNull(serverKey);

        var users = db.GetCollection(Users);
        var created = StoredUtc(nowUtc);
        for (var attempt = 0; attempt < MaxNumberAttempts; attempt++)
        {
            var number = RandomNumberGenerator.GetInt32(OcNumber.Min, OcNumber.Max + 1);
            if (users.FindById(number) is not null) continue;

            var user = new UserRecord(number, nick, email, salt, iterations, storedKey, serverKey, created);
            users.Insert(new BsonDocument
            {
                [IdField] = number,
                [NickField] = nick,
                [EmailField] = email,
                [SaltField] = salt,
                [IterationsField] = iterations,
                [StoredKeyField] = storedKey,
                [ServerKeyField] = serverKey,
                [CreatedField] = created,
            });
            return user;
        }
        throw new InvalidOperationException("no free OC number");
    }

    internal static UserRecord? FindUser(LiteDatabase db, int number)
    {
        ArgumentNullException.ThrowIfNull(db);
        var doc = db.GetCollection(Users).FindById(number);
        if (doc is null) return null;
        return new UserRecord(
            doc[IdField].AsInt32,
            doc[NickField].AsString,
            doc[EmailField].AsString,
            doc[SaltField].AsBinary,
            doc[IterationsField].AsInt32,
            doc[StoredKeyField].AsBinary,
            doc[ServerKeyField].AsBinary,
            doc[CreatedField].AsDateTime.ToUniversalTime());
    }

    internal static int CountUsers(LiteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.GetCollection(Users).Count();
    }

    /// <summary>Stores a new session for <paramref name="number"/>; only the token's hash is kept.</summary>
    internal static void SaveSession(LiteDatabase db, ReadOnlySpan<byte> token, int number, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = StoredUtc(nowUtc);
        db.GetCollection(Sessions).Insert(new BsonDocument
        {
            [IdField] = SessionTokens.Hash(token),
            [UserField] = number,
            [CreatedField] = now,
            [LastUsedField] = now,
        });
    }

    /// <summary>
    /// The user a session token belongs to, or null. Also records the use (lastUsed, for
    /// expiring idle sessions later), so this is a write: run it in a job whose Writes is true.
    /// </summary>
    internal static int? FindSessionUser(LiteDatabase db, ReadOnlySpan<byte> token, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sessions = db.GetCollection(Sessions);
        var doc = sessions.FindById(SessionTokens.Hash(token));
        if (doc is null) return null;
        doc[LastUsedField] = StoredUtc(nowUtc);
        sessions.Update(doc);
        return doc[UserField].AsInt32;
    }

    /// <summary>Deletes the session of <paramref name="token"/>; false if there was none.</summary>
    internal static bool DeleteSession(LiteDatabase db, ReadOnlySpan<byte> token)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.GetCollection(Sessions).Delete(SessionTokens.Hash(token));
    }

    /// <summary>
    /// The appliance id (16 random bytes, lowercase hex), created with the schema version on
    /// the database's first open. Refuses a database written by a newer schema.
    /// </summary>
    internal static string GetOrCreateApplianceId(LiteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var meta = db.GetCollection(Meta);
        var doc = meta.FindById(ApplianceDocId);
        if (doc is not null)
        {
            var schema = doc[SchemaField].AsInt32;
            if (schema > SchemaVersion)
                throw new InvalidOperationException($"The database has schema version {schema}; this appliance understands up to {SchemaVersion}.");
            return doc[ApplianceIdField].AsString;
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        meta.Insert(new BsonDocument
        {
            [IdField] = ApplianceDocId,
            [ApplianceIdField] = id,
            [SchemaField] = SchemaVersion,
        });
        return id;
    }

    private static DateTime StoredUtc(DateTime value) => StoredTime.Utc(value);
}

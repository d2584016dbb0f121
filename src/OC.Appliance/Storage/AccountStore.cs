using System.Security.Cryptography;
using LiteDB;
using OC.Protocol;

namespace OC.Appliance.Storage;

/// <summary>
/// Accounts and the appliance's identity, mapped to BsonDocuments by hand: under
/// NativeAOT LiteDB's reflection mapper (GetCollection&lt;T&gt;, BsonMapper) silently stores
/// empty documents. Every method runs on the storage thread, inside a <see cref="StorageJob"/>.
/// </summary>
/// <remarks>
/// Collections: "users" (_id = OC number, int32), "retiredNumbers" (_id = the number of a deleted
/// account, never given out again), "meta" (one document, _id "appliance"); the sessions are
/// <see cref="UserSessions"/>'. Dates are stored
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
    private const string Retired = "retiredNumbers";
    private const string ApplianceDocId = "appliance";

    private const string IdField = "_id";
    private const string NickField = "nick";
    private const string EmailField = "email";
    private const string SaltField = "salt";
    private const string IterationsField = "iterations";
    private const string StoredKeyField = "storedKey";
    private const string ServerKeyField = "serverKey";
    private const string CreatedField = "created";
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
        var retired = db.GetCollection(Retired);
        var created = StoredUtc(nowUtc);
        for (var attempt = 0; attempt < MaxNumberAttempts; attempt++)
        {
            var number = RandomNumberGenerator.GetInt32(OcNumber.Min, OcNumber.Max + 1);
            if (users.FindById(number) is not null || retired.FindById(number) is not null) continue;

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
        return doc is null ? null : ReadUser(doc);
    }

    private static UserRecord ReadUser(BsonDocument doc)
    {
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

    /// <summary>
    /// A new password for <paramref name="number"/> (its SCRAM verifier: the salt, iteration count
    /// and keys the client derived). False when there is no such user.
    /// </summary>
    internal static bool SetPassword(LiteDatabase db, int number, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
    {
        ArgumentNullException.ThrowIfNull(db);
        var users = db.GetCollection(Users);
        var doc = users.FindById(number);
        if (doc is null) return false;
        doc[SaltField] = salt;
        doc[IterationsField] = iterations;
        doc[StoredKeyField] = storedKey;
        doc[ServerKeyField] = serverKey;
        return users.Update(doc);
    }

    /// <summary>
    /// Deletes the account and retires its number: <see cref="CreateUser"/> never hands it out again,
    /// since the message log and the files keep what was exchanged under it, and a newcomer with the
    /// same number would see them. False when there is no such user. Sessions and friendships are
    /// the caller's (<see cref="UserSessions"/>, <see cref="FriendStore"/>).
    /// </summary>
    internal static bool DeleteUser(LiteDatabase db, int number, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.GetCollection(Users).Delete(number)) return false;
        db.GetCollection(Retired).Upsert(new BsonDocument { [IdField] = number, [CreatedField] = StoredUtc(nowUtc) });
        return true;
    }

    /// <summary>Up to <paramref name="limit"/> accounts with a number above <paramref name="afterNumber"/>, in number order.</summary>
    internal static List<UserRecord> ListUsers(LiteDatabase db, int afterNumber, int limit)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.GetCollection(Users).Query().Where(Queries.Greater(IdField, afterNumber)).OrderBy(IdField).Limit(limit)
            .ToDocuments().Select(ReadUser).ToList();
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

    /// <summary>What LiteDB will give back: UTC, whole milliseconds (<see cref="StoredTime"/>).</summary>
    internal static DateTime StoredUtc(DateTime value) => StoredTime.Utc(value);
}

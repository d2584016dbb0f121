using System.Security.Cryptography;
using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>A session as stored: who, for which device, from where, since when, last used when.</summary>
/// <param name="Id">What the user names it by (SESSION_REVOKE): random, unique among the user's sessions, 1..2^31-1.</param>
internal sealed record SessionRecord(int Id, int User, string Device, string Address, DateTime CreatedUtc, DateTime LastUsedUtc);

internal enum ResumeOutcome { Resumed, Unknown, Expired }

/// <summary>
/// The "sessions" collection: one document per session, _id = <see cref="SessionTokens.Hash"/> of
/// its token (never the token, so a copy of the database logs nobody in), with the user, a short
/// id, the device name, the client address, created and lastUsed. A session unused for the
/// time-to-live (<c>--session-ttl</c>, 30 days) has expired: refused, not listed, deleted by
/// <see cref="Sweep"/>. Storage thread only, inside a job.
/// </summary>
internal static class UserSessions
{
    private const string Sessions = "sessions";
    private const string IdField = "_id";
    private const string UserField = "user";
    private const string SidField = "sid";
    private const string DeviceField = "device";
    private const string AddressField = "address";
    private const string CreatedField = "created";
    private const string LastUsedField = "lastUsed";

    /// <summary>
    /// Called once when the database is opened. Sessions stored before sessions had ids, devices
    /// and addresses (the first version) get an id here, so that they can be listed and revoked.
    /// </summary>
    internal static void EnsureIndexes(LiteDatabase db)
    {
        var sessions = db.GetCollection(Sessions);
        sessions.EnsureIndex(UserField);
        sessions.EnsureIndex(LastUsedField);
        var old = sessions.FindAll().Where(d => !d[SidField].IsInt32).ToList();
        foreach (var doc in old)
        {
            doc[SidField] = NewId(sessions, doc[UserField].AsInt32);
            doc[DeviceField] = "";
            doc[AddressField] = "";
            sessions.Update(doc);
        }
    }

    /// <summary>Stores a new session for <paramref name="user"/>; only the token's hash is kept.</summary>
    internal static SessionRecord Create(LiteDatabase db, ReadOnlySpan<byte> token, int user, string device, string address, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sessions = db.GetCollection(Sessions);
        var now = AccountStore.StoredUtc(nowUtc);
        var session = new SessionRecord(NewId(sessions, user), user, device, address, now, now);
        sessions.Insert(new BsonDocument
        {
            [IdField] = SessionTokens.Hash(token),
            [UserField] = user,
            [SidField] = session.Id,
            [DeviceField] = device,
            [AddressField] = address,
            [CreatedField] = now,
            [LastUsedField] = now,
        });
        return session;
    }

    /// <summary>
    /// RESUME: the session of <paramref name="token"/> if it exists and has not expired; records the
    /// use (lastUsed, the address). An expired one is deleted. A write: run it in a writing job.
    /// </summary>
    internal static ResumeOutcome TryResume(LiteDatabase db, ReadOnlySpan<byte> token, string address, DateTime nowUtc, TimeSpan ttl, out SessionRecord? session)
    {
        ArgumentNullException.ThrowIfNull(db);
        session = null;
        var sessions = db.GetCollection(Sessions);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(token, hash);
        var doc = sessions.FindById(Convert.ToHexStringLower(hash));
        // The index found the document by comparing hashes, whose timing tells nothing useful (a
        // prefix of a token's SHA-256 does not help to forge a token); the check that decides is
        // constant-time all the same.
        if (doc is null || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(doc[IdField].AsString), hash))
            return ResumeOutcome.Unknown;

        var record = Read(doc);
        if (IsExpired(record, nowUtc, ttl))
        {
            sessions.Delete(doc[IdField]);
            return ResumeOutcome.Expired;
        }
        var now = AccountStore.StoredUtc(nowUtc);
        doc[LastUsedField] = now;
        doc[AddressField] = address;
        sessions.Update(doc);
        session = record with { LastUsedUtc = now, Address = address };
        return ResumeOutcome.Resumed;
    }

    /// <summary>LOGOUT: deletes the session of <paramref name="token"/>; false if there was none.</summary>
    internal static bool Delete(LiteDatabase db, ReadOnlySpan<byte> token)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.GetCollection(Sessions).Delete(SessionTokens.Hash(token));
    }

    /// <summary>The user's sessions that have not expired, most recently used first.</summary>
    internal static List<SessionRecord> ListFor(LiteDatabase db, int user, DateTime nowUtc, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(db);
        var list = db.GetCollection(Sessions).Find(Queries.Equal(UserField, user)).Select(Read).Where(s => !IsExpired(s, nowUtc, ttl)).ToList();
        list.Sort((a, b) => b.LastUsedUtc.CompareTo(a.LastUsedUtc) is var c && c != 0 ? c : a.Id.CompareTo(b.Id));
        return list;
    }

    /// <summary>SESSION_REVOKE: deletes the user's session <paramref name="id"/>; false if the user has none by that id.</summary>
    internal static bool DeleteOne(LiteDatabase db, int user, int id)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sessions = db.GetCollection(Sessions);
        var doc = sessions.Find(Queries.Equal(UserField, user)).FirstOrDefault(d => d[SidField].AsInt32 == id);
        return doc is not null && sessions.Delete(doc[IdField]);
    }

    /// <summary>Deletes every session of <paramref name="user"/> but <paramref name="keepId"/> (0: none kept); returns their ids.</summary>
    internal static List<int> DeleteAllFor(LiteDatabase db, int user, int keepId = 0)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sessions = db.GetCollection(Sessions);
        var ended = sessions.Find(Queries.Equal(UserField, user)).Where(d => d[SidField].AsInt32 != keepId).ToList();
        foreach (var doc in ended) sessions.Delete(doc[IdField]);
        return ended.Select(d => d[SidField].AsInt32).ToList();
    }

    /// <summary>
    /// The hourly sweep: the sessions connected now (<paramref name="live"/>, user and id) are in use,
    /// so their lastUsed becomes now; then every session unused for <paramref name="ttl"/> is deleted.
    /// Returns how many were.
    /// </summary>
    internal static int Sweep(LiteDatabase db, IReadOnlyCollection<(int User, int Id)> live, DateTime nowUtc, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(live);
        var sessions = db.GetCollection(Sessions);
        var now = AccountStore.StoredUtc(nowUtc);
        foreach (var user in live.Select(l => l.User).Distinct())
        {
            foreach (var doc in sessions.Find(Queries.Equal(UserField, user)).ToList())
            {
                if (!live.Contains((user, doc[SidField].AsInt32))) continue;
                doc[LastUsedField] = now;
                sessions.Update(doc);
            }
        }
        var cutoff = AccountStore.StoredUtc(nowUtc - ttl);
        return sessions.DeleteMany(Queries.AtMost(LastUsedField, cutoff));
    }

    /// <summary>Per user: how many sessions (expired ones included until the sweep) and the latest last use. For the admin's user list.</summary>
    internal static Dictionary<int, (int Count, DateTime LastUsedUtc)> SummaryByUser(LiteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var summary = new Dictionary<int, (int Count, DateTime LastUsedUtc)>();
        foreach (var doc in db.GetCollection(Sessions).FindAll())
        {
            int user = doc[UserField].AsInt32;
            var lastUsed = doc[LastUsedField].AsDateTime.ToUniversalTime();
            var (count, latest) = summary.GetValueOrDefault(user);
            summary[user] = (count + 1, lastUsed > latest ? lastUsed : latest);
        }
        return summary;
    }

    /// <summary>Unused for the whole time-to-live: <c>now - lastUsed ≥ ttl</c>.</summary>
    internal static bool IsExpired(SessionRecord session, DateTime nowUtc, TimeSpan ttl) => nowUtc - session.LastUsedUtc >= ttl;

    private static SessionRecord Read(BsonDocument doc) => new(
        doc[SidField].AsInt32,
        doc[UserField].AsInt32,
        doc[DeviceField].AsString ?? "",
        doc[AddressField].AsString ?? "",
        doc[CreatedField].AsDateTime.ToUniversalTime(),
        doc[LastUsedField].AsDateTime.ToUniversalTime());

    private static int NewId(ILiteCollection<BsonDocument> sessions, int user)
    {
        var taken = sessions.Find(Queries.Equal(UserField, user)).Select(d => d[SidField]).Where(v => v.IsInt32).Select(v => v.AsInt32).ToHashSet();
        while (true)
        {
            int id = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            if (!taken.Contains(id)) return id;
        }
    }
}

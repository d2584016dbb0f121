namespace OC.Appliance.Storage;

/// <summary>
/// An account as stored in the "users" collection. The password itself is never stored: only
/// the SCRAM-SHA-256 verifiers (RFC 5802 §3: StoredKey, ServerKey) with their salt and
/// PBKDF2 iteration count. <paramref name="Number"/> is the 6-digit OC number users share.
/// </summary>
/// <remarks>Record equality compares the byte arrays by reference, not by content.</remarks>
internal sealed record UserRecord(
    int Number,
    string Nick,
    string Email,
    byte[] Salt,
    int Iterations,
    byte[] StoredKey,
    byte[] ServerKey,
    DateTime CreatedUtc);

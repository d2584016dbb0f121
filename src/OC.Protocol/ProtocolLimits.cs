namespace OC.Protocol;

/// <summary>Fixed limits of protocol version 1 (docs/protocol.md, "Limits").</summary>
public static class ProtocolLimits
{
    public const ushort Version = 1;

    public const int MaxNickBytes = 64;
    public const int MaxNickChars = 32;
    public const int MaxEmailBytes = 254;
    public const int MaxClientNameBytes = 64;
    public const int MaxErrorTextBytes = 512;
    public const int MaxScramMessageBytes = 1024;
    public const int MaxDeviceBytes = 64;

    /// <summary>A client address as text in SESSION_LIST (the longest IPv6 text is 45 characters).</summary>
    public const int MaxAddressBytes = 64;
    public const int MaxSaltBytes = 64;
    public const int MinSaltBytes = 16;
    public const int KeyBytes = 32;
    public const int SessionTokenBytes = 32;
    public const int MinIterations = 4096;
    public const int MaxIterations = 10_000_000;
    public const int MessageIdBytes = 16;
    public const int MaxMessageTextBytes = 4096;
    public const int MaxHistoryPage = 500;
    public const int MaxFileNameBytes = 255;
    public const int Sha256Bytes = 32;
    public const int MaxFileChunkBytes = 256 * 1024;
    public const int MaxFileEntries = 1000;
    public const int MaxUploadsPerConnection = 4;
    public const int MaxDownloadsPerConnection = 2;

    /// <summary>Friend requests one user may have waiting for an answer (FRIEND_ADD beyond: TooManyPendingRequests).</summary>
    public const int MaxPendingRequests = 100;

    /// <summary>Entries of each direction in FRIEND_REQUEST_LIST, and of BLOCKED_USERS.</summary>
    public const int MaxRelationEntries = 1000;
}

namespace OC.Appliance.Sessions;

/// <summary>Turns a storage failure into one clear line for the client.</summary>
internal static class StorageErrors
{
    // ENOSPC and Windows' ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL.
    private const int ENOSPC = 28;

    public static string Describe(Exception e) =>
        IsDiskFull(e)
            ? "the appliance's disk is full; nothing was stored, try again later"
            : "the appliance could not store this; nothing was stored, try again";

    public static bool IsDiskFull(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is IOException io && ((io.HResult & 0xFFFF) is ENOSPC or 0x70 or 0x27)) return true;
            if (x.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}

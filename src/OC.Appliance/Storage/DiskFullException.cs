namespace OC.Appliance.Storage;

/// <summary>A write refused because the data folder's file system is (nearly) full.</summary>
internal sealed class DiskFullException : IOException
{
    // ENOSPC, so callers that look at HResult see "disk full" as for a real write error.
    private const int ENOSPC = 28;

    public DiskFullException() : this("No space left on device") { }

    public DiskFullException(string message) : base(message, ENOSPC) { }

    public DiskFullException(string message, Exception inner) : base(message, inner) { }
}

namespace OC.Appliance.Storage;

/// <summary>
/// The one free-space check of every store: a write is refused (<see cref="DiskFullException"/>)
/// before it starts while the data folder's file system has less than <see cref="MinFreeBytes"/>
/// free, so no store meets ENOSPC half way through a write (LiteDB in particular closes its
/// engine and leaves a transaction whose finalizer kills the process). Worker threads only:
/// statfs can block on a sick disk, the loop must not.
/// </summary>
internal sealed class DiskSpaceGuard(string folder, long minFreeBytes)
{
    private long _lastFreeBytes = -1;

    /// <summary>Covers a group plus an automatic LiteDB checkpoint (1,000 pages of 8 KiB).</summary>
    internal const long DefaultMinFreeBytes = 32L * 1024 * 1024;

    public string Folder { get; } = folder;

    /// <summary>Set by the owning store's options before its worker runs.</summary>
    public long MinFreeBytes { get; set; } = minFreeBytes;

    /// <summary>Free bytes at the last measure, for the status page (any thread); -1 if unknown.</summary>
    public long LastFreeBytes => Interlocked.Read(ref _lastFreeBytes);

    /// <summary>Measures the free space now.</summary>
    public long Measure()
    {
        long free = new DriveInfo(Folder).AvailableFreeSpace;
        Interlocked.Exchange(ref _lastFreeBytes, free);
        return free;
    }

    /// <summary>Marks the figure unknown (measuring failed).</summary>
    public void Forget() => Interlocked.Exchange(ref _lastFreeBytes, -1);

    /// <summary>True when a write may start; otherwise <paramref name="error"/> says why, in one line.</summary>
    public bool HasRoom(out string? error)
    {
        long free = Measure();
        if (free >= MinFreeBytes)
        {
            error = null;
            return true;
        }
        error = $"No space left on device: {free / 1024} KiB free in {Folder}, {MinFreeBytes / 1024} KiB needed";
        return false;
    }

    /// <summary>Throws <see cref="DiskFullException"/> unless a write may start.</summary>
    public void EnsureRoom()
    {
        if (!HasRoom(out string? error)) throw new DiskFullException(error!);
    }
}

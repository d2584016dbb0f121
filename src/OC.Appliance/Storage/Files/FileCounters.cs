namespace OC.Appliance.Storage.Files;

/// <summary>Complete files and their bytes, for the status page: written by the file store on its worker, read from any thread.</summary>
internal sealed class FileCounters
{
    private long _files;
    private long _bytes;

    public long Files => Interlocked.Read(ref _files);

    public long FileBytes => Interlocked.Read(ref _bytes);

    public void AddFile(long bytes)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void RemoveFile(long bytes)
    {
        Interlocked.Decrement(ref _files);
        Interlocked.Add(ref _bytes, -bytes);
    }
}

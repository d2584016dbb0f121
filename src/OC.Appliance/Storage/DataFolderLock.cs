namespace OC.Appliance.Storage;

/// <summary>
/// One process at a time in a data folder: the storage worker holds <c>oc.lock</c> open with
/// FileShare.None for as long as it runs, which .NET turns into an exclusive advisory flock on
/// Unix (LiteDB's own handles use FileShare.Read, a shared flock, which would let a second
/// process open the same database and corrupt it). So a second appliance, or
/// <c>oc-appliance user</c> opening the database itself, is refused while one runs; the kernel
/// drops the lock when the process ends, even by kill -9. The file stays (deleting a lock file
/// races with the next taker).
/// </summary>
internal sealed class DataFolderLock : IDisposable
{
    internal const string FileName = "oc.lock";

    private readonly FileStream _file;

    private DataFolderLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or throws <see cref="IOException"/> saying that another process holds it.</summary>
    internal static DataFolderLock Acquire(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        try
        {
            return new DataFolderLock(PrivateFiles.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw new DataFolderBusyException($"another process uses the data folder {dataDirectory} (an oc-appliance, or oc-appliance user)", e);
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>The data folder is locked by another process (<see cref="DataFolderLock"/>).</summary>
internal sealed class DataFolderBusyException : IOException
{
    public DataFolderBusyException() { }
    public DataFolderBusyException(string message) : base(message) { }
    public DataFolderBusyException(string message, Exception inner) : base(message, inner) { }
}

namespace OC.Fuzz.Targets;

/// <summary>
/// One folder per process for the storage targets, on tmpfs when there is one (/dev/shm): each
/// input is written as a file and opened, thousands of times a second, and fsync on tmpfs is free.
/// </summary>
internal static class ScratchFolder
{
    public static string Create(string name)
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string path = Path.Combine(root, $"oc-fuzz-{name}-{Environment.ProcessId}");
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(path);
        return path;
    }

    public static void Empty(string path)
    {
        foreach (string file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)) File.Delete(file);
    }

    private static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a folder left in /dev/shm goes with the next reboot.
        }
    }
}

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
        DeleteLeftovers(root, name);
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

    /// <summary>
    /// The driver ends a run by killing the .NET process, so ProcessExit does not always run: the
    /// folders of processes that are gone are removed by the next one.
    /// </summary>
    private static void DeleteLeftovers(string root, string name)
    {
        foreach (string folder in Directory.EnumerateDirectories(root, $"oc-fuzz-{name}-*"))
        {
            string pid = folder[(folder.LastIndexOf('-') + 1)..];
            if (int.TryParse(pid, out _) && OperatingSystem.IsLinux() && !Directory.Exists($"/proc/{pid}")) Delete(folder);
        }
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

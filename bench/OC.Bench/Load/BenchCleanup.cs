using System.Diagnostics;

namespace OC.Bench.Load;

/// <summary>
/// What a bench run must not leave behind, whatever way it ends: its temp data folders and the
/// processes it started (a spawned appliance, redis-server). Each is tracked while it exists;
/// <see cref="KillAndCleanUp"/> kills and deletes whatever is still tracked: after a missed phase
/// deadline (<see cref="PhaseWatchdog"/>), on Ctrl-C, and when the process exits.
/// </summary>
/// <remarks>Thread-safe: the watchdog's timer and the console's signal handler call it from their own threads.</remarks>
internal static class BenchCleanup
{
    private static readonly Lock Sync = new();
    private static readonly HashSet<string> Folders = [];
    private static readonly HashSet<Process> Processes = [];
    private static int _installed;

    /// <summary>Once per process: cleans up on exit and on Ctrl-C (SIGINT), then lets the process end.</summary>
    public static void InstallHandlers()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAndCleanUp();
        Console.CancelKeyPress += (_, _) => KillAndCleanUp();
    }

    public static void TrackFolder(string path)
    {
        lock (Sync) Folders.Add(path);
    }

    /// <summary>Deletes the folder now (if it exists) and stops tracking it.</summary>
    public static void DeleteFolder(string path)
    {
        DeleteQuietly(path);
        lock (Sync) Folders.Remove(path);
    }

    public static void TrackProcess(Process process)
    {
        lock (Sync) Processes.Add(process);
    }

    public static void ForgetProcess(Process process)
    {
        lock (Sync) Processes.Remove(process);
    }

    /// <summary>How many folders are tracked (tests).</summary>
    public static int TrackedFolders
    {
        get { lock (Sync) return Folders.Count; }
    }

    /// <summary>Kills every tracked process (SIGKILL: a hung one does not answer SIGTERM) and deletes every tracked folder.</summary>
    public static void KillAndCleanUp()
    {
        Process[] processes;
        string[] folders;
        lock (Sync)
        {
            processes = [.. Processes];
            folders = [.. Folders];
            Processes.Clear();
            Folders.Clear();
        }
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
        }
        // The killed appliance's files are closed now, so the folder goes with everything in it.
        foreach (var folder in folders) DeleteQuietly(folder);
    }

    private static void DeleteQuietly(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (IOException e) { Console.Error.WriteLine($"oc-bench: could not delete {path}: {e.Message}"); }
        catch (UnauthorizedAccessException e) { Console.Error.WriteLine($"oc-bench: could not delete {path}: {e.Message}"); }
    }
}

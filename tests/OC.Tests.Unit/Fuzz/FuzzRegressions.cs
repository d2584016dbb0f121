namespace OC.Tests.Fuzz;

/// <summary>
/// The inputs the fuzz campaign found (docs/fuzzing.md), kept in fuzz/regressions/TARGET/ in the
/// form that target takes, so that `fuzz/run.sh TARGET --repro fuzz/regressions/TARGET` replays them too.
/// </summary>
internal static class FuzzRegressions
{
    public static byte[] Read(string target, string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OC.sln"))) return File.ReadAllBytes(Path.Combine(dir.FullName, "fuzz", "regressions", target, name));
        }
        throw new DirectoryNotFoundException($"no OC.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Bytes allocated on this thread by <paramref name="action"/>, run once before to warm it up.</summary>
    public static long AllocatedBy(Action action)
    {
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

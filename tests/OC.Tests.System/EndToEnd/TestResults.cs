namespace OC.Tests.EndToEnd;

/// <summary>
/// Files for a human to look at after a run, in artifacts/test-results/ (OC_TEST_RESULTS when
/// test.sh sets it, else found from the repository root above the test binaries).
/// </summary>
internal static class TestResults
{
    public static string Directory()
    {
        if (Environment.GetEnvironmentVariable("OC_TEST_RESULTS") is { Length: > 0 } set) return Create(set);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OC.sln"))) return Create(Path.Combine(dir.FullName, "artifacts", "test-results"));
        }
        return Create(Path.Combine(Path.GetTempPath(), "oc-test-results"));
    }

    public static string PathOf(string fileName) => Path.Combine(Directory(), fileName);

    /// <summary>Writes the lines to artifacts/test-results/<paramref name="fileName"/>.</summary>
    public static void Save(string fileName, IEnumerable<string> lines) => File.WriteAllLines(PathOf(fileName), lines);

    private static string Create(string path)
    {
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}

namespace OC.Tests.Storage;

/// <summary>What "the data folder is private" means on disk: the folder 0700, nothing under it open to group or others.</summary>
internal static class DataFolderModes
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Asserts it and returns every path checked, relative to <paramref name="dataDirectory"/>, with its mode.</summary>
    public static List<string> AssertPrivate(string dataDirectory)
    {
        if (OperatingSystem.IsWindows()) return [];
        var all = Directory.EnumerateFileSystemEntries(dataDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var seen = new List<string> { $". {Octal(ModeOf(dataDirectory))}" };
        seen.AddRange(all.Select(p => $"{Path.GetRelativePath(dataDirectory, p)} {Octal(ModeOf(p))}"));
        var open = all.Where(p => (ModeOf(p) & GroupOrOther) != 0).ToList();
        Assert.True(File.GetUnixFileMode(dataDirectory) == (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute),
            "the data folder is not 0700: " + string.Join(", ", seen));
        Assert.True(open.Count == 0, "open to group or others: " + string.Join(", ", seen));
        return seen;
    }

    /// <summary>This process's umask as /proc shows it ("0022"), or "?" where there is no /proc.</summary>
    public static string ProcessUmask()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return "?";
        return File.ReadLines(status).FirstOrDefault(l => l.StartsWith("Umask:", StringComparison.Ordinal))?["Umask:".Length..].Trim() ?? "?";
    }

    private static UnixFileMode ModeOf(string path) => OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111, 8);
}

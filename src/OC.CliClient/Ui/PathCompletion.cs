namespace OC.CliClient.Ui;

/// <summary>Tab in the send prompt: completes a path as a shell does (the common start of the names that match).</summary>
internal static class PathCompletion
{
    public static string Complete(string typed)
    {
        string expanded = typed.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), typed[2..])
            : typed;
        string folder = Path.GetDirectoryName(expanded) is { Length: > 0 } d ? d : ".";
        string start = Path.GetFileName(expanded);
        string[] names;
        try
        {
            names = [.. Directory.EnumerateFileSystemEntries(folder, start + "*").Select(p => Path.GetFileName(p) + (Directory.Exists(p) ? "/" : "")).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return typed;
        }

        if (names.Length == 0) return typed;
        string common = names[0];
        foreach (string name in names) common = common[..CommonLength(common, name)];
        return common.Length <= start.Length ? typed : typed[..(typed.Length - start.Length)] + common;
    }

    private static int CommonLength(string a, string b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        return i;
    }
}

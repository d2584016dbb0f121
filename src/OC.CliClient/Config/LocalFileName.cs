using System.Text;

namespace OC.CliClient.Config;

/// <summary>
/// Turns a file name that came from another user into one that is safe to create here: one path
/// segment (no folders, no "..", not absolute), no control or reserved characters, not a Windows
/// device name, at most 255 bytes. The result is always a plain name in the target folder.
/// </summary>
internal static class LocalFileName
{
    private static readonly HashSet<string> s_devices = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    public static string Sanitize(string received)
    {
        ArgumentNullException.ThrowIfNull(received);
        // The last segment only: "../../etc/passwd" is "passwd", "C:\x\y" is "y".
        string name = received.Replace('\\', '/');
        int slash = name.LastIndexOf('/');
        if (slash >= 0) name = name[(slash + 1)..];

        var b = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            b.Append(char.IsControl(c) || c is '<' or '>' or ':' or '"' or '|' or '?' or '*' ? '_' : c);
        }
        name = b.ToString().Trim().TrimEnd('.').TrimStart('.');
        if (name.Length == 0) name = "file";

        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string stem = dot < 0 ? name : name[..dot];
        if (s_devices.Contains(stem.TrimEnd())) name = "_" + name;

        while (Encoding.UTF8.GetByteCount(name) > 255) name = name[..^1];
        if (char.IsHighSurrogate(name[^1])) name = name[..^1];
        return name;
    }
}

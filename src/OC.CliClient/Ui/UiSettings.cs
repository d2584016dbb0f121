using OC.CliClient.Config;

namespace OC.CliClient.Ui;

/// <summary>
/// The full-screen client's settings: <c>ui.conf</c> in the config folder, lines of
/// <c>key = value</c> (# starts a comment). Known keys: <c>notify</c> (<c>on</c> or <c>off</c>).
/// A missing or unreadable file means the defaults; an unknown key is ignored, so a newer oc's
/// file works with an older one.
/// </summary>
internal sealed record UiSettings(bool Notify)
{
    public const string FileName = "ui.conf";

    public static UiSettings Load(ConfigFolder config) => Parse(TryRead(Path.Combine(config.Path, FileName)));

    public static UiSettings Parse(string? text)
    {
        bool notify = true;
        foreach (string raw in (text ?? "").Split('\n'))
        {
            string line = raw.Split('#')[0].Trim();
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0) continue;
            string key = line[..equals].Trim().ToLowerInvariant();
            string value = line[(equals + 1)..].Trim().ToLowerInvariant();
            if (key == "notify") notify = value is not ("off" or "false" or "no" or "0");
        }

        return new UiSettings(notify);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

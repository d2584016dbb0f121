using System.Globalization;
using System.Text;

namespace OC.CliClient.Config;

/// <summary>
/// The message cursor: the highest seq this user has been shown on this appliance, kept in
/// <c>cursor-APPLIANCEID-NUMBER.txt</c> in the config folder (mode 0600, replaced atomically). The
/// next <c>oc listen</c> or <c>oc chat</c> asks the appliance for what came after it.
/// </summary>
/// <remarks>
/// Keyed by the appliance's id from WELCOME rather than its address: an appliance that moves to
/// another address keeps its cursor, and a new appliance at an old address starts from zero.
/// Two processes may share the file: each keeps its own cursor in memory and writes the larger of
/// the file's and its own, under a lock, so the file never goes back.
/// </remarks>
internal sealed class CursorStore
{
    private static readonly TimeSpan s_lockPatience = TimeSpan.FromSeconds(2);
    private readonly ConfigFolder _folder;

    public CursorStore(ConfigFolder folder, string applianceId, ServerAddress server, uint ocNumber)
    {
        _folder = folder;
        string appliance = Safe(applianceId);
        if (appliance.Length == 0) appliance = Safe(server.ToString());
        Path = System.IO.Path.Combine(folder.Path, string.Create(CultureInfo.InvariantCulture, $"cursor-{appliance}-{ocNumber:D6}.txt"));
    }

    public string Path { get; }

    private string LockPath => Path + ".lock";

    /// <summary>The saved cursor; 0 when there is none. A damaged file also reads as 0: showing old messages again beats losing new ones.</summary>
    public ulong Load()
    {
        try
        {
            return ulong.TryParse(File.ReadAllText(Path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seq) ? seq : 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Raises the saved cursor to <paramref name="seen"/>; a larger value already in the file stays.</summary>
    public async Task SaveAsync(ulong seen, CancellationToken cancellationToken)
    {
        _folder.Create();
        using var fileLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        if (Load() >= seen) return;
        AtomicFile.Write(Path, seen.ToString(CultureInfo.InvariantCulture) + "\n", ownerOnly: true);
    }

    // FileShare.None takes an exclusive flock on Unix; the kernel drops it when the process dies, so
    // a crash leaves no stale lock. After a while without it we write anyway: the worst a lost race
    // does is lower the file's cursor, which shows a message again but never loses one.
    private async Task<IDisposable?> LockAsync(CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var deadline = DateTime.UtcNow + s_lockPatience;
        while (true)
        {
            try
            {
                return new FileStream(LockPath, options);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private static string Safe(string text)
    {
        var safe = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        }

        return safe.ToString();
    }
}

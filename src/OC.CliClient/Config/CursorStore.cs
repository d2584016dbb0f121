using System.Globalization;
using System.Text;

namespace OC.CliClient.Config;

/// <summary>What the user has seen: every message up to <c>Seq</c>, and these messages above it (sent from <c>oc chat</c>).</summary>
internal sealed record Cursor(ulong Seq, IReadOnlySet<ulong> SeenAbove)
{
    public static readonly Cursor Zero = new(0, new HashSet<ulong>());
}

/// <summary>
/// The message cursor: the highest seq this user has been shown on this appliance, kept in
/// <c>cursor-APPLIANCEID-NUMBER.txt</c> in the config folder (mode 0600, replaced atomically). The
/// next <c>oc listen</c> or <c>oc chat</c> asks the appliance for what came after it.
/// </summary>
/// <remarks>
/// File: the seq on the first line; optionally a second line <c>seen SEQ SEQ ...</c> with messages
/// above it that were seen already: those sent from <c>oc chat</c>, which the sending session gets
/// no MESSAGE for, so that the next start does not show them again. (Moving the cursor to their
/// seq instead could skip a message of someone else stored just before.)
/// </remarks>
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

    /// <summary>The most seen messages above the cursor kept; beyond, the oldest are shown again rather than kept.</summary>
    public const int MaxSeenAbove = 1000;

    /// <summary>The saved cursor; zero when there is none. A damaged file also reads as zero: showing old messages again beats losing new ones.</summary>
    public Cursor Load()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Cursor.Zero;
        }

        if (lines.Length == 0 || !TryParseSeq(lines[0].Trim(), out ulong seq)) return Cursor.Zero;
        var seenAbove = new HashSet<ulong>();
        if (lines.Length > 1 && lines[1].StartsWith("seen ", StringComparison.Ordinal))
        {
            foreach (var word in lines[1][5..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (TryParseSeq(word, out ulong above) && above > seq) seenAbove.Add(above);
            }
        }

        return new Cursor(seq, seenAbove);
    }

    /// <summary>
    /// Merges what this process has seen into the file: the larger cursor wins, and the seen
    /// messages of both above it are kept.
    /// </summary>
    public async Task SaveAsync(ulong seq, IEnumerable<ulong> seenAbove, CancellationToken cancellationToken)
    {
        _folder.Create();
        using var fileLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        var saved = Load();
        ulong cursor = Math.Max(saved.Seq, seq);
        var above = saved.SeenAbove.Concat(seenAbove).Where(s => s > cursor).Distinct().Order().TakeLast(MaxSeenAbove).ToList();
        if (cursor == saved.Seq && above.Count == saved.SeenAbove.Count && above.All(saved.SeenAbove.Contains)) return;

        var text = new StringBuilder(cursor.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (above.Count > 0) text.Append("seen ").AppendJoin(' ', above).Append('\n');
        AtomicFile.Write(Path, text.ToString(), ownerOnly: true);
    }

    private static bool TryParseSeq(string text, out ulong seq) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seq);

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

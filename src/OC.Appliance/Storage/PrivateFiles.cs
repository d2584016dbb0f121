using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage;

/// <summary>
/// The data folder holds password verifiers, messages and files: only the appliance's user may
/// read it. Folders are created 0700 and files 0600 with explicit modes (so it holds in-process
/// too, whatever the umask); the files LiteDB creates itself are narrowed once they exist, and
/// the appliance's own process runs with umask 077 (<see cref="RestrictUmask"/>) so nothing any
/// library creates is ever readable by others, not even for a moment.
/// </summary>
/// <remarks>
/// On Windows there are no Unix modes (the folder's ACL decides); everything here is skipped.
/// </remarks>
internal static partial class PrivateFiles
{
    internal const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    internal const UnixFileMode FileUnixMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// umask 077 for the whole process. Called by the command line only: the appliance run
    /// in-process (tests, the load tool) must not change its host's umask, and relies on the
    /// explicit modes instead.
    /// </summary>
    internal static void RestrictUmask()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = Umask(0b000_111_111);
    }

    /// <summary>
    /// The data folder named by --data: created 0700 if missing (returns true). An existing one is
    /// the owner's choice and keeps its mode; if others may enter it, say so once (the files in it
    /// are 0600 all the same).
    /// </summary>
    internal static bool EnsureDataFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            CreateFolder(path);
            return true;
        }
        if (OperatingSystem.IsWindows()) return false;
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            Log.Warn("storage.folder_mode", $"the data folder {path} is {Octal(mode)}: others can list it (its files are 0600); chmod 700 {path} to make it private");
        }
        return false;
    }

    /// <summary>
    /// A folder of the appliance's own inside the data folder (files/): created 0700, and narrowed
    /// to 0700 if an older version left it wider.
    /// </summary>
    internal static void EnsureOwnFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            CreateFolder(path);
            return;
        }
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) == 0) return;
        File.SetUnixFileMode(path, mode & ~GroupOrOther);
        Log.Info("storage.folder_mode", $"{path} was {Octal(mode)}; now {Octal(mode & ~GroupOrOther)}");
    }

    /// <summary>A FileStream whose file, if this creates it, is 0600.</summary>
    internal static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share = FileShare.Read,
        int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        var settings = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize, Options = options };
        if (!OperatingSystem.IsWindows()) settings.UnixCreateMode = FileUnixMode;
        return new FileStream(path, settings);
    }

    /// <summary>
    /// Takes the group and other bits off a file someone else created (LiteDB's oc.db and its log;
    /// messages.log, which File.OpenHandle creates with the umask's mode, or an older version did).
    /// </summary>
    internal static void Restrict(SafeFileHandle file)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(file);
        if ((mode & GroupOrOther) != 0) File.SetUnixFileMode(file, mode & ~GroupOrOther);
    }

    /// <inheritdoc cref="Restrict(SafeFileHandle)"/>
    internal static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0) File.SetUnixFileMode(path, mode & ~GroupOrOther);
    }

    private static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, FolderMode);
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111, 8);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}

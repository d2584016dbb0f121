using System.Text;

namespace OC.CliClient.Config;

/// <summary>
/// Replaces a file in one step (write a temporary file next to it, then rename), so a crash
/// or a full disk leaves either the old or the new contents, never half of one.
/// </summary>
internal static class AtomicFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <param name="ownerOnly">Create with mode 0600 from the start: a chmod afterwards would leave a moment in which others could open it.</param>
    public static void Write(string path, string contents, bool ownerOnly)
    {
        string temporary = path + ".tmp";

        // A temporary file left by a crash could have any mode, and opening an existing file
        // keeps its mode: start from a file this call creates.
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(contents));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}

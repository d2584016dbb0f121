using System.Runtime.InteropServices;

namespace OC.Appliance.Net;

/// <summary>glibc's <c>malloc_trim</c>: gives the free memory of the C heap back to the system (see <see cref="MemoryTrim"/>).</summary>
internal static partial class NativeHeap
{
    private static bool s_unavailable = !OperatingSystem.IsLinux();

    public static void Trim()
    {
        if (s_unavailable) return;
        try
        {
            malloc_trim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): nothing to call.
            s_unavailable = true;
        }
        catch (DllNotFoundException)
        {
            s_unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}

using System.Runtime.InteropServices;

namespace OC.Protocol.IO;

/// <summary>
/// The one place that retries a native call a signal interrupted. A blocking call fails with
/// errno EINTR when a signal handler runs, unless the handler was installed with SA_RESTART and
/// the call is one the kernel restarts; epoll_wait never is, and a stop and continue (a
/// debugger) interrupts it too (signal(7)). The call is a
/// function pointer with its arguments passed alongside, so a retry allocates no delegate or
/// closure: epoll_wait runs through here on every turn of the event loop.
/// </summary>
/// <remarks>
/// The call must be a [LibraryImport] with SetLastError = true (or set the last P/Invoke error
/// itself), because errno is read with <see cref="Marshal.GetLastPInvokeError"/>; it is still
/// set when Retry returns, for the caller's error message. Not for close(2): on Linux the
/// descriptor is released even when close reports EINTR, and a retry could close another file.
/// </remarks>
public static unsafe class Interrupted
{
    /// <summary>errno EINTR (4 on Linux, every architecture, and on the BSDs and macOS).</summary>
    public const int EIntr = 4;

    /// <summary>Calls <paramref name="call"/> until it returns 0 or more, or fails with an errno other than EINTR; returns its last result.</summary>
    public static int Retry<T>(delegate*<T, int> call, T arg)
    {
        int rc;
        do rc = call(arg);
        while (rc < 0 && Marshal.GetLastPInvokeError() == EIntr);
        return rc;
    }

    /// <summary>As the one-argument Retry, for a call with more arguments.</summary>
    public static int Retry<T1, T2>(delegate*<T1, T2, int> call, T1 arg1, T2 arg2)
    {
        int rc;
        do rc = call(arg1, arg2);
        while (rc < 0 && Marshal.GetLastPInvokeError() == EIntr);
        return rc;
    }

    /// <summary>As the one-argument Retry, for a call with more arguments.</summary>
    public static int Retry<T1, T2, T3>(delegate*<T1, T2, T3, int> call, T1 arg1, T2 arg2, T3 arg3)
    {
        int rc;
        do rc = call(arg1, arg2, arg3);
        while (rc < 0 && Marshal.GetLastPInvokeError() == EIntr);
        return rc;
    }
}

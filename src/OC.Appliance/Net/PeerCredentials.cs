using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OC.Appliance.Net;

/// <summary>
/// Who is at the other end of a Unix domain socket: SO_PEERCRED (Linux, socket(7)) gives the
/// connecting process's uid, checked by the admin socket on top of its file mode.
/// </summary>
internal static partial class PeerCredentials
{
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;

    /// <summary>The peer's effective uid; false where the kernel does not say (not Linux).</summary>
    public static bool TryGetPeerUid(Socket socket, out uint uid)
    {
        uid = 0;
        if (!OperatingSystem.IsLinux()) return false;
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit values in host order.
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, ucred) != ucred.Length) return false;
        }
        catch (SocketException)
        {
            return false;
        }
        uid = MemoryMarshal.Read<uint>(ucred[4..]);
        return true;
    }

    /// <summary>This process's effective uid (Linux and other Unix).</summary>
    public static uint CurrentUid() => geteuid();

    [LibraryImport("libc")]
    private static partial uint geteuid();
}

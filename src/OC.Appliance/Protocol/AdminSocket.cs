using System.Net.Sockets;
using System.Text;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;

namespace OC.Appliance.Protocol;

/// <summary>
/// The admin socket: a Unix domain socket, <c>admin.sock</c> in the data folder, through which
/// <c>oc-appliance user</c> reaches the running appliance (docs/architecture.md, "The admin
/// socket"). Its connections run on the same loop and their requests on the same storage worker as
/// everyone else's, so nothing opens the database beside the appliance. Reaching it is the
/// authentication: the file is 0600 in a 0700 folder, and on Linux a connecting process must run
/// as the appliance's user or as root (SO_PEERCRED), even if the folder was left open to others.
/// </summary>
internal sealed class AdminSocket : IDisposable
{
    internal const string FileName = "admin.sock";

    // sun_path holds 108 bytes, the terminating NUL included (unix(7)).
    private const int MaxPathBytes = 107;

    private readonly Acceptor _acceptor;
    private readonly ConnectionManager _connections;

    private AdminSocket(EventLoop loop, string path, ApplianceFeatures features, ApplianceIdentity identity, TimeProvider time)
    {
        Path = path;
        var limits = new ConnectionLimits
        {
            MaxPayload = 64 * 1024,
            MaxInFlight = 16,
            MaxConnections = 16,
            MaxAnonymous = 16,
            SharedInputBytes = 64 * 1024,
            IdleTimeout = TimeSpan.FromSeconds(60),
        };
        var router = new AdminRouter(features, limits, identity, time);
        _connections = new ConnectionManager(loop, limits, router) { OnOpened = router.OnOpened };
        // Left by an appliance that did not stop cleanly; the data folder's lock (held by now) says
        // no other appliance serves this folder, so nobody listens on it.
        File.Delete(path);
        _acceptor = new Acceptor(loop, new UnixDomainSocketEndPoint(path), "admin", Accept);
        try
        {
            // The appliance's own umask (077) makes it 0600 from the start; in-process hosts keep theirs.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch
        {
            _acceptor.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Listens on <c>DATA/admin.sock</c>, or logs why not and returns null (the appliance serves on without it).</summary>
    public static AdminSocket? TryStart(EventLoop loop, string dataDirectory, ApplianceFeatures features, ApplianceIdentity identity, TimeProvider time)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDirectory), FileName);
        if (OperatingSystem.IsWindows())
        {
            Log.Info("admin.unavailable", "no admin socket on Windows: stop the appliance before oc-appliance user");
            return null;
        }
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            Log.Warn("admin.unavailable", $"{path} is longer than a Unix socket's {MaxPathBytes} bytes: no admin socket, so oc-appliance user works only while the appliance is stopped (or use a shorter --data path)");
            return null;
        }
        try
        {
            return new AdminSocket(loop, path, features, identity, time);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            Log.Warn("admin.unavailable", $"cannot listen on {path}: {e.Message}; oc-appliance user works only while the appliance is stopped");
            return null;
        }
    }

    /// <summary>At shutdown, after the last storage completions: send their replies, close, remove the file.</summary>
    public void Close(string reason)
    {
        _connections.FlushPendingWrites();
        _connections.CloseAll(reason);
        Dispose();
    }

    /// <summary>Stops accepting and removes the socket file.</summary>
    public void Dispose()
    {
        _acceptor.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // The next start removes it.
        }
    }

    private void Accept(Socket socket)
    {
        if (!MayAdminister(socket, out string? refusal))
        {
            Log.Warn("admin.refused", refusal!);
            socket.Dispose();
            return;
        }
        _connections.Accept(socket);
    }

    /// <summary>The appliance's own user or root; where the kernel does not say, the file's mode decides alone.</summary>
    private static bool MayAdminister(Socket socket, out string? refusal)
    {
        refusal = null;
        if (!PeerCredentials.TryGetPeerUid(socket, out uint peer)) return true;
        uint own = PeerCredentials.CurrentUid();
        if (peer == own || peer == 0) return true;
        refusal = $"uid {peer} may not use the admin socket (only uid {own} or root)";
        return false;
    }
}

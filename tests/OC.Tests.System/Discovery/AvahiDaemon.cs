using System.Diagnostics;
using System.Text;

namespace OC.Tests.Discovery;

/// <summary>
/// avahi-daemon inside a namespace, on a private system D-Bus of its own (a dbus-daemon with a
/// socket in a temp folder, named by DBUS_SYSTEM_BUS_ADDRESS) and with a /run/avahi-daemon of its
/// own: the machine's own avahi and bus, if any, are not touched. Dispose stops both.
/// </summary>
internal sealed class AvahiDaemon : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "oc-avahi-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _netns;
    private readonly Process _daemon;
    private readonly StringBuilder _log = new();
    private readonly int _busPid;

    public AvahiDaemon(string netns, string link, string hostName)
    {
        _netns = netns;
        Directory.CreateDirectory(_folder);
        string socket = Path.Combine(_folder, "bus");
        File.WriteAllText(Path.Combine(_folder, "bus.conf"), $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={socket}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_destination="*"/>
                <allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        File.WriteAllText(Path.Combine(_folder, "avahi.conf"), $"""
            [server]
            host-name={hostName}
            use-ipv4=yes
            use-ipv6=no
            allow-interfaces={link}
            enable-dbus=yes
            ratelimit-interval-usec=1000000
            ratelimit-burst=1000
            [wide-area]
            enable-wide-area=no
            [publish]
            publish-hinfo=no
            publish-workstation=no
            """);
        BusAddress = "unix:path=" + socket;
        var bus = NamespaceSupport.Run("dbus-daemon", "--config-file=" + Path.Combine(_folder, "bus.conf"), "--fork", "--print-pid");
        if (bus.ExitCode != 0 || !int.TryParse(bus.Stdout.Trim(), out _busPid)) throw new InvalidOperationException("dbus-daemon did not start: " + bus);

        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        // ip netns exec runs the command in a mount namespace of its own: a tmpfs there gives this
        // avahi its own /run/avahi-daemon (pid file), apart from a system avahi-daemon, if any.
        foreach (var arg in (string[])["netns", "exec", netns, "sh", "-c",
            "mkdir -p /run/avahi-daemon && mount -t tmpfs oc-test-avahi /run/avahi-daemon && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f \"$0\"",
            Path.Combine(_folder, "avahi.conf")])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = BusAddress;
        _daemon = Process.Start(start) ?? throw new InvalidOperationException("avahi-daemon did not start");
        // Waits on a signal from the output handlers (or the exit), not by polling.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            lock (_log) _log.AppendLine(line);
            if (line?.Contains("Server startup complete", StringComparison.Ordinal) == true) started.TrySetResult();
        }
        _daemon.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _daemon.OutputDataReceived += (_, e) => OnLine(e.Data);
        _daemon.Exited += (_, _) => started.TrySetException(new InvalidOperationException("avahi-daemon exited"));
        _daemon.EnableRaisingEvents = true;
        _daemon.BeginErrorReadLine();
        _daemon.BeginOutputReadLine();
        if (_daemon.HasExited) started.TrySetException(new InvalidOperationException("avahi-daemon exited"));
        try
        {
            started.Task.Wait(TimeSpan.FromSeconds(15));
            if (!started.Task.IsCompletedSuccessfully) throw new TimeoutException();
        }
        catch (Exception e) when (e is TimeoutException or AggregateException)
        {
            Dispose();
            throw new InvalidOperationException("avahi-daemon did not come up:\n" + Log);
        }
    }

    public string BusAddress { get; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>A start for an avahi client (avahi-browse) in the namespace, talking to this daemon.</summary>
    public ProcessStartInfo Client(params string[] args)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in (string[])["netns", "exec", _netns, .. args]) start.ArgumentList.Add(arg);
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = BusAddress;
        return start;
    }

    /// <summary>Runs an avahi client to its end (at most 20 s).</summary>
    public CommandRun Run(params string[] args)
    {
        using var process = Process.Start(Client(args)) ?? throw new InvalidOperationException(args[0] + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return new CommandRun(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public void Dispose()
    {
        if (!_daemon.HasExited)
        {
            // SIGTERM first, for a clean exit; ip and sh exec'd it, so the pid is avahi's.
            NamespaceSupport.Run("kill", _daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!_daemon.WaitForExit(TimeSpan.FromSeconds(5))) _daemon.Kill(entireProcessTree: true);
            _daemon.WaitForExit();
        }
        _daemon.Dispose();
        if (_busPid > 0) NamespaceSupport.Run("kill", _busPid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

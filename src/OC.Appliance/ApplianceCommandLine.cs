using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Appliance.Storage;

namespace OC.Appliance;

/// <summary>`oc-appliance [--data DIR] [--port 6677] [--http-port 6678 | --no-http] [--bind ADDR] [--name NAME] [--no-mdns] [--poller epoll|select] ...`</summary>
internal static class ApplianceCommandLine
{
    private static readonly Option<string> Data = new("--data")
    {
        Description = "Folder for the database (created if missing)",
        DefaultValueFactory = _ => "oc-data",
        HelpName = "DIR",
    };

    private static readonly Option<int> Port = new("--port")
    {
        Description = "TCP port of the OC protocol (0 = any free port)",
        HelpName = "N",
        DefaultValueFactory = _ => ApplianceOptions.DefaultPort,
    };

    private static readonly Option<int> HttpPort = new("--http-port")
    {
        Description = "TCP port of the HTTP status page: /, /api/status, /metrics, /healthz (0 = any free port)",
        HelpName = "N",
        DefaultValueFactory = _ => ApplianceOptions.DefaultHttpPort,
    };

    private static readonly Option<bool> NoHttp = new("--no-http")
    {
        Description = "Serve no HTTP status page",
    };

    private static readonly Option<string> Bind = new("--bind")
    {
        Description = "Address to listen on (default: all IPv4 addresses)",
        DefaultValueFactory = _ => "0.0.0.0",
        HelpName = "ADDR",
    };

    private static readonly Option<string> Poller = new("--poller")
    {
        Description = "Readiness backend of the event loop (default: epoll where available, else select)",
        HelpName = "epoll|select",
    };

    private static readonly Option<string> Name = new("--name")
    {
        Description = "Name announced to clients and on the LAN as NAME._oc._tcp.local (default: the host name)",
        HelpName = "NAME",
    };

    private static readonly Option<bool> NoMdns = new("--no-mdns")
    {
        Description = "Do not announce the appliance on the LAN (mDNS/DNS-SD _oc._tcp on UDP 5353; see docs/discovery.md)",
    };

    private static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log connects and disconnects too (debug level)",
    };

    private static readonly Option<int> IdleTimeout = new("--idle-timeout")
    {
        Description = "Seconds of silence after which a connection is closed",
        DefaultValueFactory = _ => 90,
        HelpName = "SECONDS",
    };

    private static readonly Option<int> LoginTimeout = new("--login-timeout")
    {
        Description = "Seconds a connection may stay without a login (after connecting or a logout) before it is closed",
        DefaultValueFactory = _ => 60,
        HelpName = "SECONDS",
    };

    private static readonly Option<int> MaxAnonymousPerAddress = new("--max-anonymous-per-address")
    {
        Description = "Connections not logged in from one address; more are refused at once",
        DefaultValueFactory = _ => 256,
        HelpName = "COUNT",
    };

    private static readonly Option<int> MaxAnonymous = new("--max-anonymous")
    {
        Description = "Connections not logged in, in all; more are refused at once",
        DefaultValueFactory = _ => 2048,
        HelpName = "COUNT",
    };

    private static readonly Option<string> InputBudget = new("--input-budget")
    {
        Description = "Bytes of partial frames all connections may hold beyond 64 KiB each (K, M, G: powers of 1024); a connection that needs more is not read until some is free",
        DefaultValueFactory = _ => "64M",
        HelpName = "SIZE",
    };

    private static readonly Option<string> MaxFileSize = new("--max-file-size")
    {
        Description = "Largest file one upload may be (bytes, or with K, M, G, T: powers of 1024)",
        DefaultValueFactory = _ => "4G",
        HelpName = "SIZE",
    };

    private static readonly Option<string> Quota = new("--quota")
    {
        Description = "Bytes of complete and partial uploads one sender may keep on the appliance",
        DefaultValueFactory = _ => "10G",
        HelpName = "SIZE",
    };

    private static readonly Option<string> PartialTtl = new("--partial-ttl")
    {
        Description = "A partial upload nobody wrote to for this long is deleted (e.g. 7d, 12h, 30m)",
        DefaultValueFactory = _ => "7d",
        HelpName = "TIME",
    };

    private static readonly Option<string> SessionTtl = new("--session-ttl")
    {
        Description = "A login session unused for this long has expired and must log in again (e.g. 30d, 12h)",
        DefaultValueFactory = _ => "30d",
        HelpName = "TIME",
    };

    private static readonly Option<string> Retention = new("--retention")
    {
        Description = "Drop messages and files older than this (e.g. 365d, 12h; at least 1h); off by default: everything is kept",
        HelpName = "TIME",
    };

    /// <summary>--rate-messages, --rate-logins, ...: one option per <see cref="RateKind"/>, in its order.</summary>
    private static readonly Option<string>[] Rates = Array.ConvertAll(RateKinds.All, kind => new Option<string>(kind.Option())
    {
        Description = $"{RateDescription(kind)} (RATE/UNIT,BURST with UNIT s, m or h; off = no limit)",
        DefaultValueFactory = _ => RateLimitSettings.Default[kind]!.Value.ToString(),
        HelpName = "RATE",
    });

    private static readonly Option<bool> NoRateLimits = new("--no-rate-limits")
    {
        Description = "Lift every rate limit (for benchmarks; the --rate-* options are then ignored)",
    };

    private static string RateDescription(RateKind kind) => kind switch
    {
        RateKind.Message => "Messages (SEND) per user",
        RateKind.FileOffer => "File offers per user",
        RateKind.FriendRequest => "Friend requests (FRIEND_ADD) per user",
        RateKind.History => "History pages per user",
        RateKind.Find => "Look-ups of an OC number (FIND_USER) per user",
        RateKind.Register => "Registrations per client address",
        RateKind.Login => "Logins and session resumes per client address",
        _ => "New connections per client address; more are closed at once",
    };

    /// <summary>The limits the options give (parsed already by their validators).</summary>
    private static RateLimitSettings ParseRates(ParseResult parse)
    {
        if (parse.GetValue(NoRateLimits)) return RateLimitSettings.Off;
        var settings = RateLimitSettings.Default;
        foreach (var kind in RateKinds.All)
        {
            RateLimit.TryParse(parse.GetValue(Rates[(int)kind]), out var limit, out _);
            settings = settings.With(kind, limit);
        }
        return settings;
    }


    private static readonly Option<string> Friends = new("--friends")
    {
        Description = "consent: adding a friend sends a request the other accepts or declines; open: both are friends at once (trusted labs)",
        DefaultValueFactory = _ => "consent",
        HelpName = "consent|open",
    };

    private static readonly Option<int> RoomMembers = new("--room-members")
    {
        Description = "The most members one room may have",
        DefaultValueFactory = _ => Rooms.RoomLimits.DefaultMaxMembers,
        HelpName = "N",
    };

    private static readonly Option<int> RoomsPerUser = new("--rooms-per-user")
    {
        Description = "The most rooms one user may be a member of (created or joined)",
        DefaultValueFactory = _ => Rooms.RoomLimits.DefaultMaxRoomsPerUser,
        HelpName = "N",
    };

    private static readonly Option<bool> InsecurePlaintext = new("--insecure-plaintext")
    {
        Description = "Serve the protocol without TLS: messages, passwords' proofs and tokens cross the network in clear (clients must say --insecure)",
    };

    private static readonly Option<string> TlsCert = new("--tls-cert")
    {
        Description = "PEM certificate (leaf first, then its chain) to serve instead of the appliance's own self-signed one; needs --tls-key",
        HelpName = "FILE",
    };

    private static readonly Option<string> TlsKey = new("--tls-key")
    {
        Description = "PEM private key of --tls-cert",
        HelpName = "FILE",
    };

    // Hidden: not a choice owners need to make. The appliance picks OpenSSL where libssl.so.3 is and
    // SslStream elsewhere; this forces one (a fallback should the OpenSSL engine misbehave on some
    // system, and how the SslStream engine is measured on Linux). docs/architecture.md, "TLS in the event loop".
    private static readonly Option<string> TlsEngine = new("--tls-engine")
    {
        Description = "TLS engine: openssl or sslstream (default: openssl where libssl.so.3 is, else sslstream)",
        HelpName = "openssl|sslstream",
        Hidden = true,
    };

    public static int Run(string[] args)
    {
        SessionTtl.Validators.Add(r => { if (ParseDuration(r.GetValueOrDefault<string>()) is null) r.AddError($"--session-ttl: '{r.GetValueOrDefault<string>()}' is not a time such as 30d"); });
        foreach (var rate in Rates)
        {
            rate.Validators.Add(r =>
            {
                if (!RateLimit.TryParse(r.GetValueOrDefault<string>(), out _, out string error)) r.AddError($"{r.Option.Name}: {error}");
            });
        }
        Friends.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is not ("consent" or "open")) r.AddError($"--friends must be consent or open, not '{r.GetValueOrDefault<string>()}'");
        });
        MaxFileSize.Validators.Add(r => { if (ParseSize(r.GetValueOrDefault<string>()) is null) r.AddError($"--max-file-size: '{r.GetValueOrDefault<string>()}' is not a size such as 4G"); });
        InputBudget.Validators.Add(r =>
        {
            if (ParseSize(r.GetValueOrDefault<string>()) is not { } size || size < 1024 * 1024 + 16) r.AddError($"--input-budget: '{r.GetValueOrDefault<string>()}' is not a size of at least 1M (the largest frame must fit)");
        });
        Quota.Validators.Add(r => { if (ParseSize(r.GetValueOrDefault<string>()) is null) r.AddError($"--quota: '{r.GetValueOrDefault<string>()}' is not a size such as 10G"); });
        Retention.Validators.Add(r =>
        {
            if (ParseRetention(r.GetValueOrDefault<string>()) is null)
                r.AddError($"--retention: '{r.GetValueOrDefault<string>()}' is not a time from 1h to 36500d such as 365d");
        });
        PartialTtl.Validators.Add(r => { if (ParseDuration(r.GetValueOrDefault<string>()) is null) r.AddError($"--partial-ttl: '{r.GetValueOrDefault<string>()}' is not a time such as 7d"); });
        TlsEngine.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } e && e is not (Net.Tls.TlsListener.OpenSsl or Net.Tls.TlsListener.SslStream))
                r.AddError($"--tls-engine must be openssl or sslstream, not '{e}'");
        });
        Poller.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } p && p is not ("epoll" or "select")) r.AddError($"--poller must be epoll or select, not '{p}'");
        });
        Port.Validators.Add(r => ValidatePort(r, 0));
        HttpPort.Validators.Add(r => ValidatePort(r, 0));
        IdleTimeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 5) r.AddError("--idle-timeout must be at least 5 seconds");
        });
        LoginTimeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 5) r.AddError("--login-timeout must be at least 5 seconds");
        });
        MaxAnonymousPerAddress.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--max-anonymous-per-address must be at least 1");
        });
        MaxAnonymous.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--max-anonymous must be at least 1");
        });
        RoomMembers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 2 or > ushort.MaxValue) r.AddError("--room-members must be 2..65535");
        });
        RoomsPerUser.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--rooms-per-user must be at least 1");
        });
        Bind.Validators.Add(r =>
        {
            if (!IPAddress.TryParse(r.GetValueOrDefault<string>(), out _)) r.AddError($"--bind: '{r.GetValueOrDefault<string>()}' is not an IP address");
        });

        var root = new RootCommand("oc-appliance: the OC LAN chat appliance (protocol, storage and discovery in one binary)")
        {
            Data, Port, HttpPort, NoHttp, Bind, Poller, Name, NoMdns, IdleTimeout, LoginTimeout, MaxAnonymousPerAddress, MaxAnonymous,
            InputBudget, MaxFileSize, Quota, PartialTtl, SessionTtl, Retention, Friends, TlsCert, TlsKey, InsecurePlaintext,
            RoomMembers, RoomsPerUser,
        };
        root.Validators.Add(r =>
        {
            bool cert = r.GetResult(TlsCert) is { Implicit: false }, key = r.GetResult(TlsKey) is { Implicit: false };
            if (cert != key) r.AddError("--tls-cert and --tls-key go together");
            else if (cert && r.GetValue(InsecurePlaintext)) r.AddError("--tls-cert and --insecure-plaintext contradict each other");
        });
        foreach (var rate in Rates) root.Options.Add(rate);
        root.Options.Add(NoRateLimits);
        root.Options.Add(Verbose);
        root.Options.Add(TlsEngine);
        // oc-appliance user list|reset-password|delete: the forgotten password (Admin/UserCommand.cs).
        root.Subcommands.Add(Admin.UserCommand.Create());
        // oc-appliance fingerprint: what clients are asked to trust, for the person at the console.
        root.Subcommands.Add(Admin.FingerprintCommand.Create());
        // oc-appliance backup|restore: a consistent snapshot while it runs, and a data folder from it (Backup/).
        root.Subcommands.Add(Backup.BackupCommands.CreateBackup());
        root.Subcommands.Add(Backup.BackupCommands.CreateRestore());
        root.SetAction(parse => Serve(new ApplianceOptions
        {
            DataDirectory = parse.GetValue(Data)!,
            Port = parse.GetValue(Port),
            HttpPort = parse.GetValue(HttpPort),
            HttpEnabled = !parse.GetValue(NoHttp),
            MdnsEnabled = !parse.GetValue(NoMdns),
            BindAddress = IPAddress.Parse(parse.GetValue(Bind)!),
            Poller = parse.GetValue(Poller),
            Name = parse.GetValue(Name) is { Length: > 0 } name ? name : Environment.MachineName,
            IdleTimeout = TimeSpan.FromSeconds(parse.GetValue(IdleTimeout)),
            LoginTimeout = TimeSpan.FromSeconds(parse.GetValue(LoginTimeout)),
            MaxAnonymousPerAddress = parse.GetValue(MaxAnonymousPerAddress),
            MaxAnonymous = parse.GetValue(MaxAnonymous),
            SharedInputBytes = ParseSize(parse.GetValue(InputBudget))!.Value,
            LogLevel = parse.GetValue(Verbose) ? LogLevel.Debug : LogLevel.Info,
            MaxFileSize = ParseSize(parse.GetValue(MaxFileSize))!.Value,
            FileQuota = ParseSize(parse.GetValue(Quota))!.Value,
            PartialTtl = ParseDuration(parse.GetValue(PartialTtl))!.Value,
            SessionTtl = ParseDuration(parse.GetValue(SessionTtl))!.Value,
            Retention = parse.GetValue(Retention) is { } retention ? ParseRetention(retention) : null,
            RateLimits = ParseRates(parse),
            FriendsMode = parse.GetValue(Friends) == "open" ? OC.Appliance.Friends.FriendsMode.Open : OC.Appliance.Friends.FriendsMode.Consent,
            RoomLimits = new Rooms.RoomLimits(parse.GetValue(RoomMembers), parse.GetValue(RoomsPerUser)),
            InsecurePlaintext = parse.GetValue(InsecurePlaintext),
            TlsCertificatePath = parse.GetValue(TlsCert),
            TlsKeyPath = parse.GetValue(TlsKey),
            TlsEngine = parse.GetValue(TlsEngine),
        }));

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"oc-appliance: {result.Errors[0].Message} (see oc-appliance --help)");
            return 2;
        }
        return result.Invoke();
    }

    /// <summary>"1048576", "512K", "4G": bytes, suffixes in powers of 1024; null when it is not one.</summary>
    internal static long? ParseSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        int shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        if (shift > 0) text = text[..^1];
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)) return null;
        if (n > long.MaxValue >> shift) return null;
        return n << shift;
    }

    /// <summary>"7d", "12h", "30m", "45s"; null when it is not one (or is zero).</summary>
    internal static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length < 2) return null;
        text = text.Trim();
        if (!int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n <= 0) return null;
        return char.ToLowerInvariant(text[^1]) switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            's' => TimeSpan.FromSeconds(n),
            _ => null,
        };
    }

    /// <summary>--retention: a time (<see cref="ParseDuration"/>) from an hour to a hundred years; null otherwise.</summary>
    internal static TimeSpan? ParseRetention(string? text)
    {
        // A number of days no TimeSpan holds is not a time either (FromDays throws for it).
        TimeSpan? time;
        try
        {
            time = ParseDuration(text);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            return null;
        }
        return time is { } t && t >= TimeSpan.FromHours(1) && t <= TimeSpan.FromDays(36500) ? t : null;
    }

    private static string DescribeStartFailure(Exception e, ApplianceOptions options) => e switch
    {
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } =>
            $"port {options.Port} on {options.BindAddress} is already in use (another oc-appliance?); pick another with --port",
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressNotAvailable } =>
            $"{options.BindAddress} is not an address of this machine (--bind)",
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AccessDenied } =>
            $"not allowed to listen on port {options.Port} (ports below 1024 need privileges)",
        System.Net.Sockets.SocketException se => $"cannot listen on {options.BindAddress}:{options.Port}: {se.Message}",
        IOException or UnauthorizedAccessException => $"cannot use the data folder {Path.GetFullPath(options.DataDirectory)}: {e.Message}",
        InvalidDataException or Net.Tls.TlsSetupException => e.Message,
        LiteDB.LiteException => $"the database in {Path.GetFullPath(options.DataDirectory)} cannot be opened: {e.Message}",
        _ => e.Message,
    };

    private static void ValidatePort(OptionResult r, int min)
    {
        int value = r.GetValueOrDefault<int>();
        if (value < min || value > 65535) r.AddError($"{r.Option.Name} must be {min}..65535, not {value}");
    }

    private static int Serve(ApplianceOptions options)
    {
        Log.MinLevel = options.LogLevel;
        // Before anything is created: every file and folder of this process, LiteDB's included,
        // is private from the start, whatever umask started it (by hand, typically 022).
        PrivateFiles.RestrictUmask();
        Log.Info("appliance.starting", $"{ApplianceVersion.Full}, pid {Environment.ProcessId}");
        ApplianceServer server;
        try
        {
            server = new ApplianceServer(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException
            or PlatformNotSupportedException or LiteDB.LiteException or InvalidDataException or Net.Tls.TlsSetupException)
        {
            Console.Error.WriteLine($"oc-appliance: cannot start: {DescribeStartFailure(e, options)}");
            return 1;
        }

        using (server)
        {
            // SIGINT/SIGTERM: stop accepting, finish pending commits, close the database, exit 0.
            using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
            server.Run();

            void Stop(System.Runtime.InteropServices.PosixSignalContext context)
            {
                context.Cancel = true;
                Log.Info("appliance.signal", $"{context.Signal}: shutting down");
                server.Stop();
            }
        }
        return 0;
    }
}

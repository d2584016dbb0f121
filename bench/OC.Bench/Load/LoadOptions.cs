using System.Globalization;
using System.Net;

namespace OC.Bench.Load;

/// <summary>The load tool's command line. Hand-parsed: a handful of options, no dependency.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/OC.Bench -- MODE [options]

        modes:
          micro [BDN options]  micro benchmarks (BenchmarkDotNet), e.g. micro --filter '*'
          accounts             C connections x W REGISTER in flight for D s: durable registrations/s,
                               latency percentiles, storage groups committed (group commit at work)
          ping                 C connections x W PING in flight for D s: round trips/s, latency
          files                one upload of --mib MiB through the appliance and its download,
                               MiB/s each; then iperf3 over loopback with the same bytes (if installed)
          idle                 N connections, each HELLO + RESUME (logged in), then idle: the
                               appliance's RSS per connection (needs a separate appliance process);
                               with --distinct each its own user: REGISTER, the SCRAM login, SYNC
          chat                 P sender/receiver pairs (friends, both logged in, the receiver live
                               after one SYNC), each sender W SEND in flight for D s: delivered
                               MESSAGE/s, SENT/s, end-to-end latency (send -> MESSAGE received)
          chat-during-upload   two users chat, one message every --interval ms, while a third
                               uploads --mib MiB to a fourth: p50/p99/max of the round trips (SEND
                               until SENT and MESSAGE are in), beside the same chat for -d s
                               before and after the upload (the reference, same run); its own
                               appliance on 127.0.0.1 (in-process or --appliance), not --server
          handshakes           connections/s of a whole connect (TCP, the TLS handshake, HELLO and the
                               SCRAM login, then close) and of a connect that RESUMEs instead of the
                               login, C at a time for D s each; chat round trips on connections
                               already open (one message every --interval ms) before and during both
          room                 a room of --members M members (default 100), each logged in on a connection
                               of its own and live (one SYNC), one member keeping W ROOM_SEND in flight
                               (default 64) for D s: SENT/s, deliveries/s (ROOM_MESSAGE events at the
                               other M - 1 members), p50/p99 from send to the last member's receipt;
                               then Redis pub/sub in the same run (M subscribers of one channel, one
                               publisher at W; --no-redis to leave it out) and OC / Redis deliveries/s
          room-disk            bytes on disk per message (messages.log + messages.index + its
                               checkpoint) for rooms of --members LIST members (default 2,500) and a
                               1:1 conversation: per case a fresh appliance, the set-up, a clean stop,
                               a start on the same folder, --messages K messages (default 20000) at
                               window W, a clean stop; the files' growth / K
          soak                 D of mixed load against the published AOT appliance (its own process,
                               HTTP on): P pairs chatting one message a second each way, a --mib MiB
                               upload + download every 30 s, 20 connections/s churned, 4 garbage
                               clients/s, and every 2 min a 30 s memory attack (strangers and logged-in
                               users stalling in 1 MiB frames); every --sample s a CSV row of RSS, fds,
                               connections, chat p50/p99; at the end the RSS trend and an SVG plot

        TLS: the appliance speaks TLS 1.3 on its protocol port unless started with --insecure-plaintext;
        the bench starts it with TLS, and with --insecure-plaintext for --tls off:
          --tls on|off|both        on (default): TLS, the bench's clients accept the appliance's own
                                   certificate; off: plaintext; both (chat, files, idle, handshakes):
                                   plaintext then TLS, back to back in one run, each on a fresh
                                   appliance, and the ratio TLS / plaintext

        where the appliance runs (accounts, ping, chat, files, chat-during-upload, handshakes):
          (default)            in this process on 127.0.0.1:0, fresh temp data folder per run
          --appliance PATH     spawn PATH (the AOT binary, or oc-appliance.dll to run with dotnet)
          --server HOST:PORT   an appliance that is already running (for idle and soak also --pid PID)
                               idle and soak: by default artifacts/publish/RID/oc-appliance (AOT)

        options:
          -c, --connections LIST   connections, comma-separated for a series (default 1; handshakes:
                                   connects in flight at once, default 16)
          -w, --window N           requests in flight per connection (default 32; chat, room, room-disk
                                   64; at most 256);
                                   chat takes a list (-w 1,64: each window in turn, one invocation)
          -d, --duration S         measured seconds per run (default 5); chat-during-upload:
                                   seconds of the reference chat before and after the upload;
                                   soak: the whole run (default 30m; every time takes s, m or h)
          --warmup S               unmeasured seconds before each run (default 1; chat-during-upload:
                                   uncounted chat before the reference)
          --no-flush               accounts, chat, in-process: FlushToDisk = false (no fsync per group)
          --both                   accounts, chat, in-process: run with and without flush, print the ratio
          -p, --pairs LIST         chat: sender/receiver pairs, comma-separated for a series (default 1);
                                   soak: chatting pairs (default 100)
          --size N                 chat, chat-during-upload, room, room-disk: bytes of text per message
                                   (default 64; 1..4096; chat-during-upload at least 10)
          --interval MS            chat-during-upload, handshakes: milliseconds between messages (default 10)
          --poller epoll|select    in-process or spawned appliance's poller (default: epoll)
          --appliance-log LEVEL    in-process appliance log level (default warn: the appliance logs
                                   one Info line per registration and login, which would measure stderr)
          --data-root DIR          where temp data folders go (default: the system temp folder)
          -n, --count LIST         idle: connections, comma-separated for a series (default 10000)
          --no-login               idle: HELLO only, no RESUME (the cost of a session apart)
          --distinct               idle: each connection registers its own user, logs in (SCRAM; -PLUS
                                   over TLS) and SYNCs (live), instead of RESUMEing one session
          --users N                handshakes: users the connections log in as, in turn (default 64)
          --settle S               idle: seconds to wait before each RSS reading (default 2)
          --rss-after S            chat (an appliance process: --appliance): its RSS before the pairs, and S s
                                   after their connections closed, beside it (the message worker lets idle
                                   senders' resend windows go after 30 s without messages: S 45 covers it)
          --hold S                 idle: keep the connections open S seconds after measuring (e.g.
                                   to take a dotnet-gcdump of a JIT appliance)
          --env NAME=VALUE         environment variable for a spawned appliance (repeatable)
          --mib N                  files, chat-during-upload: MiB to upload (default 1024; soak 64)
          --json                   also print one JSON object per run
          --sample S               soak: seconds between samples (default 10)
          --csv PATH               soak: where the samples go (default soak.csv)
          --svg PATH               soak: where the plot goes (default soak.svg)
          --skip LIST              soak: leave out some of chat,files,churn,garbage,attack (to see which
                                   one moves RSS)
          --redis                  chat: after each pair count, the same load against Redis pub/sub
                                   (redis-server started here on 127.0.0.1, nothing saved; a PUBLISH
                                   per message, the window and the latency measured as for chat)
          --redis-server PATH      chat, room: the redis-server to start (default: redis-server on PATH)
          --no-redis               room: no Redis reference
          --members LIST           room: members of the room (one number, default 100; 2..500 with the
                                   appliance's default --room-members); room-disk: the room sizes to
                                   compare (default 2,500)
          --messages K             room-disk: messages sent per case (default 20000)
          --phase-limit S          chat, room, room-disk: the deadline of every phase (start, set-up, traffic, stop)
                                   instead of limits only a hang misses; a missed one kills the
                                   appliance, deletes the data folders and exits with code 3
          --replot                 soak: no load; redraw --svg from the samples in --csv (with
                                   --idle-kib N: the idle RSS the run printed, drawn as a line)
        """;

    public required string Mode { get; init; }
    public IReadOnlyList<int> Connections { get; init; } = [1];
    public int Window { get; init; } = 32;

    /// <summary>chat: the windows to run in turn (-w 1,64), the first also in <see cref="Window"/>.</summary>
    public IReadOnlyList<int> Windows { get; init; } = [32];
    public IReadOnlyList<int> Pairs { get; init; } = [1];
    public int MessageSize { get; init; } = 64;
    public double DurationSeconds { get; init; } = 5;
    public double WarmupSeconds { get; init; } = 1;
    public bool NoFlush { get; init; }
    public bool BothFlush { get; init; }
    public string? Poller { get; init; }
    public string ApplianceLog { get; init; } = "warn";
    public string? DataRoot { get; init; }
    public string? AppliancePath { get; init; }
    public IPEndPoint? Server { get; init; }
    public int? Pid { get; init; }
    public IReadOnlyList<int> Counts { get; init; } = [10_000];
    public bool NoLogin { get; init; }
    public bool Distinct { get; init; }
    public int Users { get; init; } = 64;

    /// <summary>The transports to run, in order: [true] (TLS, the default), [false] (--tls off), or [false, true] (--tls both).</summary>
    public IReadOnlyList<bool> TlsRuns { get; init; } = [true];
    public double SettleSeconds { get; init; } = 2;

    /// <summary>chat: read the appliance's RSS before the pairs and this long after their connections closed (null: not).</summary>
    public double? RssAfterSeconds { get; init; }
    public double HoldSeconds { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    public bool Json { get; init; }
    public int SizeMiB { get; init; } = 1024;
    public int IntervalMs { get; init; } = 10;
    public double SampleSeconds { get; init; } = 10;
    public string CsvPath { get; init; } = "soak.csv";
    public string SvgPath { get; init; } = "soak.svg";
    public IReadOnlySet<string> Skip { get; init; } = new HashSet<string>();
    public bool Replot { get; init; }
    public long IdleKiB { get; init; } = -1;

    /// <summary>chat: every phase's deadline (start, set-up, traffic, stop), instead of limits only a hang can miss (tests of the clean-up).</summary>
    public double? PhaseLimitSeconds { get; init; }

    /// <summary>chat: also Redis pub/sub with the same pairs, window and size, in the same run (the reference).</summary>
    public bool Redis { get; init; }
    public string RedisServerPath { get; init; } = "redis-server";

    /// <summary>room: members of the room (one number); room-disk: the room sizes to compare.</summary>
    public IReadOnlyList<int> Members { get; init; } = [100];

    /// <summary>room-disk: messages sent per case.</summary>
    public int Messages { get; init; } = 20_000;

    /// <summary>The whole command line, for reports: every figure comes with the command that made it.</summary>
    public string CommandLine { get; init; } = "";

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0) throw new UsageException("no mode given");
        string mode = args[0];
        if (mode is not ("accounts" or "ping" or "idle" or "chat" or "files" or "chat-during-upload" or "handshakes" or "soak" or "room" or "room-disk")) throw new UsageException($"unknown mode '{mode}'");

        var o = new LoadOptions
        {
            Mode = mode,
            CommandLine = "dotnet run -c Release --project bench/OC.Bench -- " + string.Join(' ', args),
        };
        var env = new List<KeyValuePair<string, string>>();
        bool windowGiven = false, durationGiven = false, pairsGiven = false, mibGiven = false, connectionsGiven = false, membersGiven = false, noRedis = false;
        for (int i = 1; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => ++i < args.Length ? args[i] : throw new UsageException($"{arg} needs a value");
            windowGiven |= arg is "-w" or "--window";
            durationGiven |= arg is "-d" or "--duration";
            pairsGiven |= arg is "-p" or "--pairs";
            mibGiven |= arg is "--mib";
            connectionsGiven |= arg is "-c" or "--connections";
            membersGiven |= arg is "--members";
            o = arg switch
            {
                "-c" or "--connections" => o with { Connections = IntList(arg, Value()) },
                "-w" or "--window" => WithWindows(o, arg, Value()),
                "-p" or "--pairs" => o with { Pairs = IntList(arg, Value()) },
                "--size" => o with { MessageSize = Int(arg, Value(), 1, OC.Protocol.ProtocolLimits.MaxMessageTextBytes) },
                "-d" or "--duration" => o with { DurationSeconds = Seconds(arg, Value(), 0.1) },
                "--warmup" => o with { WarmupSeconds = Seconds(arg, Value(), 0) },
                "--no-flush" => o with { NoFlush = true },
                "--both" => o with { BothFlush = true },
                "--poller" => o with { Poller = Value() },
                "--appliance-log" => o with { ApplianceLog = Value() },
                "--data-root" => o with { DataRoot = Value() },
                "--appliance" => o with { AppliancePath = Value() },
                "--server" => o with { Server = EndPoint(arg, Value()) },
                "--pid" => o with { Pid = Int(arg, Value(), 1, int.MaxValue) },
                "-n" or "--count" => o with { Counts = IntList(arg, Value()) },
                "--no-login" => o with { NoLogin = true },
                "--distinct" => o with { Distinct = true },
                "--users" => o with { Users = Int(arg, Value(), 1, 100_000) },
                "--tls" => o with { TlsRuns = TlsRunsOf(arg, Value()) },
                "--settle" => o with { SettleSeconds = Seconds(arg, Value(), 0) },
                "--rss-after" => o with { RssAfterSeconds = Seconds(arg, Value(), 0) },
                "--hold" => o with { HoldSeconds = Seconds(arg, Value(), 0) },
                "--env" => AddEnv(o, env, Value()),
                "--json" => o with { Json = true },
                "--mib" => o with { SizeMiB = Int(arg, Value(), 1, 1024 * 1024) },
                "--interval" => o with { IntervalMs = Int(arg, Value(), 1, 60_000) },
                "--sample" => o with { SampleSeconds = Seconds(arg, Value(), 1) },
                "--csv" => o with { CsvPath = Value() },
                "--svg" => o with { SvgPath = Value() },
                "--skip" => o with { Skip = SoakParts(arg, Value()) },
                "--replot" => o with { Replot = true },
                "--idle-kib" => o with { IdleKiB = Int(arg, Value(), 1, int.MaxValue) },
                "--phase-limit" => o with { PhaseLimitSeconds = Seconds(arg, Value(), 0.001) },
                "--redis" => o with { Redis = true },
                "--redis-server" => o with { Redis = true, RedisServerPath = Value() },
                "--no-redis" => NoRedis(o, ref noRedis),
                "--members" => o with { Members = IntList(arg, Value()) },
                "--messages" => o with { Messages = Int(arg, Value(), 1, 10_000_000) },
                _ => throw new UsageException($"unknown option '{arg}'"),
            };
        }
        o = o with { Environment = env };
        // The chat issue's targets are stated for a window of 64, and the room issue's.
        if (mode is ("chat" or "room" or "room-disk") && !windowGiven) o = o with { Window = 64, Windows = [64] };
        if (mode is "room" or "room-disk") o = RoomChecks(o, mode, membersGiven, noRedis);
        if (mode != "chat" && o.Windows.Count > 1) throw new UsageException("-w takes one number except for chat");
        // Enough connects in flight to keep the appliance busy while some wait for the client's PBKDF2.
        if (mode == "handshakes" && !connectionsGiven) o = o with { Connections = [16] };
        if (mode == "handshakes" && o.Connections.Count != 1) throw new UsageException("handshakes: -c takes one number (connects in flight)");
        if (o.TlsRuns.Count > 1 && mode is not ("chat" or "files" or "idle" or "handshakes" or "room"))
            throw new UsageException("--tls both: chat, files, idle, handshakes and room only (the others take on or off)");
        if (o.TlsRuns.Count > 1 && o.Server is not null) throw new UsageException("--tls both starts an appliance for each side; an appliance at --server speaks one of them (--tls on or off)");
        if (o.Redis && mode is not ("chat" or "room")) throw new UsageException("--redis: chat and room only");
        if (noRedis && mode != "room") throw new UsageException("--no-redis: room only");
        if (o.Distinct && o.NoLogin) throw new UsageException("--distinct and --no-login exclude each other");
        // The soak's defaults are those of issue 11: half an hour, 100 pairs, a 64 MiB file.
        if (mode == "soak")
        {
            if (!durationGiven) o = o with { DurationSeconds = 30 * 60 };
            if (!pairsGiven) o = o with { Pairs = [100] };
            if (!mibGiven) o = o with { SizeMiB = 64 };
            if (o.Pairs.Count != 1) throw new UsageException("soak: --pairs takes one number");
            if (o.Server is not null && o.Pid is null) throw new UsageException("soak with --server needs --pid to read the appliance's memory");
            if (o.DurationSeconds < 2 * o.SampleSeconds) throw new UsageException("soak: --duration must be at least two --sample periods");
        }

        if (o.ApplianceLog is not ("debug" or "info" or "warn" or "error")) throw new UsageException("--appliance-log: debug, info, warn or error");
        if (o.NoFlush && o.BothFlush) throw new UsageException("--no-flush and --both exclude each other");
        if ((o.NoFlush || o.BothFlush) && (o.Server is not null || o.AppliancePath is not null))
            throw new UsageException("--no-flush and --both need the in-process appliance (oc-appliance has no such switch)");
        if (o.Server is not null && o.AppliancePath is not null) throw new UsageException("--server and --appliance exclude each other");
        // It registers users and stores --mib MiB: only on an appliance of its own, on 127.0.0.1.
        if (mode == "chat-during-upload" && o.Server is not null) throw new UsageException("chat-during-upload starts its own appliance on 127.0.0.1 (in-process or --appliance); --server is not for it");
        if (mode == "idle" && o.Server is not null && o.Pid is null) throw new UsageException("idle with --server needs --pid to read the appliance's memory");
        return o;
    }

    // Issue 14's targets: the Redis reference runs unless left out; every message flushed before its
    // ack (the appliance's way, not switched off here); room-disk starts and stops appliances itself.
    private static LoadOptions RoomChecks(LoadOptions o, string mode, bool membersGiven, bool noRedis)
    {
        if (mode == "room")
        {
            if (o.Members.Count != 1) throw new UsageException("room: --members takes one number");
            if (!noRedis) o = o with { Redis = true };
        }
        else if (!membersGiven)
        {
            o = o with { Members = [2, 500] };
        }
        foreach (int m in o.Members)
        {
            if (m is < 2 or > ushort.MaxValue) throw new UsageException($"--members: {m} is not in 2..65535");
        }
        if (o.NoFlush || o.BothFlush) throw new UsageException($"{mode}: every message is flushed before its ack; --no-flush and --both are not for it");
        if (mode == "room-disk" && o.Server is not null) throw new UsageException("room-disk starts and stops its own appliance (in-process or --appliance); --server is not for it");
        return o;
    }

    private static LoadOptions NoRedis(LoadOptions o, ref bool noRedis)
    {
        noRedis = true;
        return o with { Redis = false };
    }

    private static LoadOptions WithWindows(LoadOptions o, string name, string text)
    {
        var windows = IntList(name, text);
        foreach (int w in windows)
        {
            if (w is < 1 or > 256) throw new UsageException($"{name}: {w} is not in 1..256");
        }
        return o with { Window = windows[0], Windows = windows };
    }

    private static bool[] TlsRunsOf(string name, string text) => text switch
    {
        "on" => [true],
        "off" => [false],
        // Plaintext first, then TLS: the order of the figures in docs/performance.md.
        "both" => [false, true],
        _ => throw new UsageException($"{name}: on, off or both, not '{text}'"),
    };

    private static HashSet<string> SoakParts(string name, string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        foreach (var part in parts)
        {
            if (part is not ("chat" or "files" or "churn" or "garbage" or "attack")) throw new UsageException($"{name}: '{part}' is not one of chat, files, churn, garbage, attack");
        }
        return parts;
    }

    private static LoadOptions AddEnv(LoadOptions o, List<KeyValuePair<string, string>> env, string value)
    {
        int eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new UsageException($"--env wants NAME=VALUE, not '{value}'");
        env.Add(new(value[..eq], value[(eq + 1)..]));
        return o;
    }

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{name}: '{text}' is not a number in {min}..{max}");

    /// <summary>Seconds, or with a unit: 90, 90s, 30m, 1.5h.</summary>
    private static double Seconds(string name, string text, double min)
    {
        double unit = text.Length > 0 ? text[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 } : 0;
        string number = unit > 0 ? text[..^1] : text;
        if (unit == 0) unit = 1;
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v * unit >= min
            ? v * unit
            : throw new UsageException($"{name}: '{text}' is not a time >= {min} s (90, 90s, 30m, 1h)");
    }

    private static int[] IntList(string name, string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => Int(name, t, 1, 1_000_000))];

    private static IPEndPoint EndPoint(string name, string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0) throw new UsageException($"{name}: '{text}' is not HOST:PORT");
        string host = text[..colon];
        int port = Int(name, text[(colon + 1)..], 1, 65535);
        if (!IPAddress.TryParse(host, out var address))
        {
            address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                ?? throw new UsageException($"{name}: cannot resolve '{host}'");
        }
        return new IPEndPoint(address, port);
    }
}

internal sealed class UsageException : Exception
{
    public UsageException() { }
    public UsageException(string message) : base(message) { }
    public UsageException(string message, Exception inner) : base(message, inner) { }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// `idle`: N connections that each say HELLO and RESUME one session (so each is logged in, the
/// state every connected user is in), then sit idle; the appliance's resident memory before and
/// after, divided by N. Needs the appliance in another process (its /proc/PID/status), by default
/// the published AOT binary, which is what runs on a Raspberry Pi. With --distinct each connection
/// is a user of its own, registered, logged in with SCRAM and live after a SYNC (issue 12's case);
/// over TLS each also holds its TLS session.
/// </summary>
internal static class IdleMode
{
    // Connects in flight at once: well under the listen backlog (1024), so no SYN is dropped.
    private const int ConnectParallelism = 128;

    // A --distinct connection makes several round trips (TLS, HELLO, REGISTER, SCRAM, SYNC): fewer
    // at once keep each one's wait short, so on a loaded machine none misses the appliance's
    // 10 s HELLO deadline while queued behind the others' handshakes.
    private const int DistinctParallelism = 32;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        if (options.Server is null && options.AppliancePath is null)
        {
            var published = DefaultAotBinary();
            if (published is null)
                throw new UsageException("idle needs the appliance in its own process: run ./publish.sh linux-x64 first, or pass --appliance PATH, or --server HOST:PORT --pid PID");
            options = options with { AppliancePath = published };
        }

        foreach (int count in options.Counts)
        {
            // --tls both: plaintext, then TLS, each on a fresh appliance, back to back.
            var perConnection = new Dictionary<bool, double>();
            foreach (bool tls in options.TlsRuns) perConnection[tls] = await MeasureAsync(options, count, tls).ConfigureAwait(false);
            if (perConnection.TryGetValue(false, out double plain) && perConnection.TryGetValue(true, out double secure))
            {
                new Report(string.Create(CultureInfo.InvariantCulture,
                        $"idle: {count} connections {State(options)}: TLS {secure:0.00} KiB, plaintext {plain:0.00} KiB RSS per connection: TLS adds {secure - plain:0.00} KiB (same invocation, runs back to back)"))
                    .Add("mode", "idle-tls-ratio")
                    .Add("connections", count)
                    .Add("tlsKibPerConnection", secure)
                    .Add("plaintextKibPerConnection", plain)
                    .Add("tlsExtraKibPerConnection", secure - plain)
                    .Print(options);
            }
        }
        return 0;
    }

    private static string State(LoadOptions options) =>
        options.NoLogin ? "HELLO only"
        : options.Distinct ? "each its own user, logged in (SCRAM) and live (SYNC)"
        : "logged in (HELLO + RESUME)";

    /// <summary>One fresh appliance, <paramref name="count"/> connections opened and left idle: its RSS per connection.</summary>
    private static async Task<double> MeasureAsync(LoadOptions options, int count, bool tls)
    {
        using var target = Target.Start(options, flushToDisk: true, "idle", tls);
        int pid = target.Pid ?? throw new UsageException("idle needs the appliance's pid");
        byte[]? token = options.NoLogin || options.Distinct ? null : await OneSessionAsync(target).ConfigureAwait(false);
        Register? register = options.Distinct ? DistinctUsers() : null;

        await Settle(options).ConfigureAwait(false);
        var before = ProcStats.ReadMemory(pid);

        var opening = Stopwatch.StartNew();
        var connections = new LoadConnection[count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = options.Distinct ? DistinctParallelism : ConnectParallelism },
                async (i, cancel) => connections[i] = register is { } r
                    ? await OpenAsOwnUserAsync(target, r, cancel).ConfigureAwait(false)
                    : await OpenAsync(target, token, cancel).ConfigureAwait(false)).ConfigureAwait(false);
            opening.Stop();

            await Settle(options).ConfigureAwait(false);
            var after = ProcStats.ReadMemory(pid);
            double perConnection = (after.VmRssKiB - before.VmRssKiB) / (double)count;
            double anonPerConnection = (after.RssAnonKiB - before.RssAnonKiB) / (double)count;

            if (options.HoldSeconds > 0)
            {
                Console.WriteLine($"idle: holding {count} connections for {options.HoldSeconds} s; appliance pid {pid}");
                await Task.Delay(TimeSpan.FromSeconds(options.HoldSeconds)).ConfigureAwait(false);
            }

            foreach (var c in connections) c?.Dispose();
            connections = [];
            await Settle(options).ConfigureAwait(false);
            var closed = ProcStats.ReadMemory(pid);

            new Report($"idle: {count} connections {State(options)}, {target.TransportName}: {perConnection:0.00} KiB RSS per connection " +
                       $"(VmRSS {before.VmRssKiB} -> {after.VmRssKiB} KiB; RssAnon {anonPerConnection:0.00} KiB per connection; " +
                       $"{closed.VmRssKiB} KiB after closing all), opened in {opening.Elapsed.TotalSeconds:0.0} s")
                .Add("mode", "idle")
                .Add("connections", count)
                .Add("transport", target.TransportName)
                .Add("loggedIn", !options.NoLogin)
                .Add("distinctUsers", options.Distinct)
                .Add("kibPerConnection", perConnection)
                .Add("rssAnonKibPerConnection", anonPerConnection)
                .Add("vmRssBeforeKib", before.VmRssKiB)
                .Add("vmRssAfterKib", after.VmRssKiB)
                .Add("vmRssAfterCloseKib", closed.VmRssKiB)
                .Add("rssAnonBeforeKib", before.RssAnonKiB)
                .Add("rssAnonAfterKib", after.RssAnonKiB)
                .Add("rssFileBeforeKib", before.RssFileKiB)
                .Add("rssFileAfterKib", after.RssFileKiB)
                .Add("openSeconds", opening.Elapsed.TotalSeconds)
                .Add("settleSeconds", options.SettleSeconds)
                .Add("loadAverage", LoadRunner.LoadAverage())
                .Add("target", target.Description)
                .Print(options);
            return perConnection;
        }
        finally
        {
            foreach (var c in connections) c?.Dispose();
        }
    }

    /// <summary>The REGISTER every --distinct user sends: the same keys for all (derived once), so only the login's PBKDF2 is paid per user.</summary>
    private static Register DistinctUsers()
    {
        var credentials = ScramCredentials.Derive(ChatPair.Password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        return new Register("idle", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
    }

    /// <summary>
    /// One connection as its own user: HELLO, REGISTER, the full SCRAM login (SCRAM-SHA-256-PLUS
    /// over TLS) and one SYNC, after which the session is live (it gets messages as events).
    /// </summary>
    private static async Task<LoadConnection> OpenAsOwnUserAsync(Target target, Register register, CancellationToken cancellationToken)
    {
        var connection = await LoadConnection.ConnectAndHelloAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            uint number = await ChatPair.RegisterAsync(connection, register, cancellationToken).ConfigureAwait(false);
            await ChatPair.LoginAsync(connection, number, cancellationToken).ConfigureAwait(false);
            await ChatPair.GoLiveAsync(connection, cancellationToken).ConfigureAwait(false);
            connection.ReleaseBuffers();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Registers one user and logs in once (the full SCRAM exchange); returns the session token to RESUME with.</summary>
    private static async Task<byte[]> OneSessionAsync(Target target)
    {
        const string password = "bench-password";
        await using var connection = await OcConnection.ConnectAsync(target.EndPoint.Address.ToString(), target.EndPoint.Port, "oc-bench", target.Transport).ConfigureAwait(false);
        var credentials = ScramCredentials.Derive(password, ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var registered = await connection.RequestAsync((b, id) => Register.Write(b, id,
            new Register("idle", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey))).ConfigureAwait(false);
        if (!Registered.TryRead(registered.Payload, out var user)) throw new InvalidOperationException("REGISTER was not answered with REGISTERED");

        var scram = new ScramClient(user.OcNumber.ToString("D6", CultureInfo.InvariantCulture), password, channelBinding: connection.ChannelBinding);
        var challenge = await connection.RequestAsync((b, id) => ScramStep.Write(b, FrameType.LoginStart, id, scram.ClientFirstMessage)).ConfigureAwait(false);
        if (!ScramStep.TryRead(challenge.Payload, out var serverFirst)) throw new InvalidOperationException("bad LOGIN_CHALLENGE");
        var clientFinal = scram.ProcessServerFirst(serverFirst);
        var reply = await connection.RequestAsync((b, id) => ScramStep.Write(b, FrameType.LoginFinish, id, clientFinal)).ConfigureAwait(false);
        if (!LoggedIn.TryRead(reply.Payload, out var loggedIn)) throw new InvalidOperationException("LOGIN_FINISH was not answered with LOGGED_IN");
        return loggedIn.SessionToken;
    }

    /// <summary>One connection: HELLO and RESUME sent together (pipelined), then both replies read.</summary>
    private static async Task<LoadConnection> OpenAsync(Target target, byte[]? token, CancellationToken cancellationToken)
    {
        var connection = await LoadConnection.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            LoadConnection.WriteHello(connection.Output);
            if (token is not null) Resume.Write(connection.Output, 2, new Resume(token));
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);

            var (welcome, _) = await connection.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (welcome.Type != FrameType.Welcome) throw new InvalidOperationException($"HELLO was answered with {welcome.Type}");
            if (token is not null)
            {
                var (loggedIn, payload) = await connection.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
                if (loggedIn.Type != FrameType.LoggedIn)
                {
                    ErrorReply.TryRead(payload, out var error);
                    throw new InvalidOperationException($"RESUME was answered with {loggedIn.Type} {error.Code}: {error.Message}");
                }
            }
            // 10,000 idle clients need no 64 KiB receive buffer each in this process either.
            connection.ReleaseBuffers();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static Task Settle(LoadOptions options) => Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds));

    /// <summary>artifacts/publish/RID/oc-appliance above the current folder, as ./publish.sh leaves it.</summary>
    internal static string? DefaultAotBinary()
    {
        string rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "publish", rid, "oc-appliance");
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "OC.sln"))) return null;
        }
        return null;
    }
}

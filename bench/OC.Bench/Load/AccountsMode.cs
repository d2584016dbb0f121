using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Bench.Load;

/// <summary>
/// `accounts`: C connections x W REGISTER in flight. Every REGISTERED is a durable commit
/// acknowledged (docs/protocol.md, "Durability"), so registrations/s is the storage path's rate;
/// jobs per group shows the group commit at work. Keys are derived once (PBKDF2 at the RFC
/// minimum of 4,096 rounds) and reused: the load is on the appliance, not on the client's PBKDF2.
/// </summary>
internal static class AccountsMode
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        var credentials = ScramCredentials.Derive("bench-password", ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var register = new Register("bench", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey);
        RequestWriter write = (buffer, id) => Register.Write(buffer, id, register);

        bool[] flushes = options.BothFlush ? [true, false] : [!options.NoFlush];
        bool inProcess = options.Server is null && options.AppliancePath is null;
        int failures = 0;
        foreach (int connections in options.Connections)
        {
            var rates = new Dictionary<bool, double>();
            foreach (bool flush in flushes)
            {
                using var target = Target.Start(options, flush, "accounts", options.TlsRuns[0]);
                var r = await LoadRunner.RunWindowAsync(options, target, connections, write, FrameType.Registered).ConfigureAwait(false);
                rates[flush] = r.PerSecond;
                if (r.Errors > 0) failures++;

                string flushText = inProcess ? (flush ? "flush on" : "flush OFF") : "flush as configured";
                string groups = r.Storage is { GroupsCommitted: > 0 } s
                    ? $", {s.GroupsCommitted} groups committed ({(double)s.JobsCompleted / s.GroupsCommitted:0.0} jobs/group)"
                    : "";
                new Report($"accounts: {connections} conn x {options.Window} window, {flushText}: {Report.Rate(r.PerSecond)} registrations/s, " +
                           $"p50 {Report.Ms(r.Latency.P50Ms)}, p99 {Report.Ms(r.Latency.P99Ms)}, p99.9 {Report.Ms(r.Latency.P999Ms)}{groups}, errors {r.Errors}")
                    .Add("mode", "accounts")
                    .Add("connections", connections)
                    .Add("window", options.Window)
                    .Add("durationSeconds", options.DurationSeconds)
                    .Add("warmupSeconds", options.WarmupSeconds)
                    .Add("flush", inProcess ? (flush ? "on" : "off") : "as configured")
                    .Add("registrations", r.Completed)
                    .Add("registrationsPerSecond", r.PerSecond)
                    .Add("p50Ms", r.Latency.P50Ms)
                    .Add("p99Ms", r.Latency.P99Ms)
                    .Add("p999Ms", r.Latency.P999Ms)
                    .Add("maxMs", r.Latency.MaxMs)
                    .Add("groupsCommitted", r.Storage?.GroupsCommitted ?? -1)
                    .Add("jobsPerGroup", r.Storage is { GroupsCommitted: > 0 } g ? (double)g.JobsCompleted / g.GroupsCommitted : -1)
                    .Add("errors", r.Errors)
                    .Add("lastError", r.LastError ?? "")
                    .Add("applianceCpuCores", r.ApplianceCpu ?? -1)
                    .Add("benchProcessCpuCores", r.BenchCpu)
                    .Add("target", target.Description)
                    .Print(options);
            }
            if (rates.Count == 2 && rates[true] > 0)
                Console.WriteLine($"accounts: {connections} conn x {options.Window} window: no-flush / flush = {rates[false] / rates[true]:0.00}x (same invocation, runs back to back)");
        }
        return failures == 0 ? 0 : 1;
    }
}

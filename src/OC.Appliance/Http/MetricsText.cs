using System.Globalization;
using System.Text;

namespace OC.Appliance.Http;

/// <summary>
/// /metrics in the Prometheus text exposition format 0.0.4: for each metric a # HELP and a
/// # TYPE line, then its samples "name{label="value"} number". Counters end in _total.
/// </summary>
internal static class MetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(ApplianceStatus s, HttpCounters http)
    {
        var w = new StringBuilder(4096);

        Header(w, "oc_info", "gauge", "Always 1; the labels say which appliance this is.");
        w.Append("oc_info{name=\"").Append(EscapeLabel(s.Name))
            .Append("\",version=\"").Append(EscapeLabel(s.Version))
            .Append("\",appliance_id=\"").Append(EscapeLabel(s.ApplianceId))
            .Append("\",poller=\"").Append(EscapeLabel(s.Poller))
            .Append("\",protocol_version=\"").Append(s.ProtocolVersion.ToString(CultureInfo.InvariantCulture))
            .Append("\"} 1\n");

        Gauge(w, "oc_healthy", "1 while the loop serves and storage has no unresolved fault (as /healthz), else 0.", s.Healthy ? 1 : 0);
        Gauge(w, "oc_uptime_seconds", "Seconds since the appliance started.", s.UptimeSeconds);

        Gauge(w, "oc_connections", "Open protocol connections, logged in or not.", s.Connections);
        Counter(w, "oc_connections_accepted_total", "Protocol connections accepted since start.", s.ConnectionsAccepted);
        Gauge(w, "oc_users_registered", "Registered user accounts.", s.UsersRegistered);
        Gauge(w, "oc_users_online", "Distinct users with at least one logged-in session.", s.UsersOnline);
        Gauge(w, "oc_sessions_online", "Logged-in sessions (one per connection).", s.SessionsOnline);
        Gauge(w, "oc_users_present", "Distinct users online as friends see it (a live session).", s.UsersPresent);
        Gauge(w, "oc_friend_requests_pending", "Friend requests waiting for an answer.", s.FriendRequestsPending);
        Gauge(w, "oc_blocks", "Blocks standing (two users blocking each other count twice).", s.Blocks);
        Gauge(w, "oc_rooms", "Rooms that exist.", s.Rooms);

        Counter(w, "oc_messages_stored_total", "Chat messages ever stored (1:1, rooms' messages and membership entries; expired ones included).", s.MessagesEverStored);
        Counter(w, "oc_room_messages_stored_total", "Members' messages ever stored in rooms (expired ones included).", s.RoomMessagesEverStored);
        Gauge(w, "oc_messages_kept", "Chat messages stored and not expired (--retention).", s.MessagesStored);
        Gauge(w, "oc_files_stored", "Files stored.", s.FilesStored);
        Gauge(w, "oc_file_bytes_stored", "Bytes of all files stored.", s.FileBytesStored);
        if (s.DiskFreeBytes >= 0) Gauge(w, "oc_disk_free_bytes", "Free bytes in the data folder's file system.", s.DiskFreeBytes);

        Counter(w, "oc_storage_groups_committed_total", "Storage groups (transactions) that wrote, committed and were flushed.", s.StorageGroupsCommitted);
        Counter(w, "oc_storage_jobs_completed_total", "Storage jobs finished, failed ones included.", s.StorageJobsCompleted);
        Counter(w, "oc_storage_jobs_failed_total", "Storage jobs that failed.", s.StorageJobsFailed);
        Counter(w, "oc_storage_faults_total", "Storage faults (full disk, I/O error), each failing one group.", s.StorageFaults);

        Counter(w, "oc_bytes_received_total", "Bytes received on protocol connections.", s.BytesReceived);
        Counter(w, "oc_bytes_sent_total", "Bytes sent on protocol connections.", s.BytesSent);
        Counter(w, "oc_frames_received_total", "Protocol frames received.", s.FramesReceived);
        Counter(w, "oc_slow_consumers_total", "Protocol connections closed for not reading their replies.", s.SlowConsumersCut);
        Gauge(w, "oc_tls", "1 when the protocol port is TLS, 0 with --insecure-plaintext.", s.Tls ? 1 : 0);
        Counter(w, "oc_tls_handshakes_total", "TLS handshakes completed on the protocol port.", s.TlsHandshakes);
        Counter(w, "oc_tls_plaintext_refused_total", "Connections that spoke plaintext to the TLS port (refused).", s.TlsPlaintextRefused);

        Gauge(w, "oc_http_connections", "Open HTTP connections.", http.Connections);
        Counter(w, "oc_http_connections_accepted_total", "HTTP connections accepted.", http.Accepted);
        Counter(w, "oc_http_connections_refused_total", "HTTP connections closed at once because too many were open.", http.Refused);
        Counter(w, "oc_http_timeouts_total", "HTTP connections closed because a request or response did not complete in time.", http.TimedOut);
        Header(w, "oc_http_requests_total", "counter", "HTTP responses sent, by status code.");
        foreach (var (code, count) in http.RequestsByStatus)
        {
            w.Append("oc_http_requests_total{code=\"").Append(code.ToString(CultureInfo.InvariantCulture)).Append("\"} ")
                .Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Header(w, "oc_rate_limited_total", "counter", "Requests refused with RATE_LIMITED (connections: closed at once), by kind.");
        foreach (var r in s.RateLimits) Labelled(w, "oc_rate_limited_total", "kind", r.Kind, r.Limited.ToString(CultureInfo.InvariantCulture));
        Header(w, "oc_rate_limit_per_second", "gauge", "The rate limit in force, in requests a second, by kind (absent: not limited).");
        foreach (var r in s.RateLimits)
        {
            if (r.Burst > 0) Labelled(w, "oc_rate_limit_per_second", "kind", r.Kind, r.PerSecond.ToString("R", CultureInfo.InvariantCulture));
        }
        Header(w, "oc_rate_limit_burst", "gauge", "Requests allowed at once after a quiet spell, by kind (absent: not limited).");
        foreach (var r in s.RateLimits)
        {
            if (r.Burst > 0) Labelled(w, "oc_rate_limit_burst", "kind", r.Kind, r.Burst.ToString(CultureInfo.InvariantCulture));
        }
        Gauge(w, "oc_rate_limit_keys", "Token buckets held: users and addresses that used part of a limit lately.", s.RateLimitKeys);

        Counter(w, "oc_log_problems_total", "Warnings and errors logged.", s.ProblemsLogged);
        return w.ToString();
    }

    private static void Labelled(StringBuilder w, string name, string label, string value, string sample) =>
        w.Append(name).Append('{').Append(label).Append("=\"").Append(EscapeLabel(value)).Append("\"} ").Append(sample).Append('\n');

    private static void Gauge(StringBuilder w, string name, string help, long value) => Sample(w, name, "gauge", help, value);

    private static void Counter(StringBuilder w, string name, string help, long value) => Sample(w, name, "counter", help, value);

    private static void Sample(StringBuilder w, string name, string type, string help, long value)
    {
        Header(w, name, type, help);
        w.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Header(StringBuilder w, string name, string type, string help) =>
        w.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <summary>Label values escape backslash, double quote and line feed (format 0.0.4).</summary>
    internal static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);
}

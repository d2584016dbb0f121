using System.Net;
using System.Text;

namespace OC.Appliance.Http;

/// <summary>
/// The status page at "/": one self-contained HTML document (inline CSS and script, no
/// external assets) rendered from an <see cref="ApplianceStatus"/>. Every dynamic string is
/// HTML-escaped; the script fetches /api/status every 2 s and writes only through textContent.
/// Without scripts a meta refresh reloads it every 5 s instead.
/// </summary>
internal static class StatusPage
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>
    /// Headers for the page: the inline style and script run only with this response's nonce,
    /// so nothing injected could run even if escaping were ever missed somewhere.
    /// </summary>
    public static string SecurityHeaders(string nonce) =>
        $"Content-Security-Policy: default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; " +
        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n" +
        "Referrer-Policy: no-referrer\r\n";

    public static string Render(ApplianceStatus s, string nonce)
    {
        var h = new StringBuilder(8192);
        h.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(s.Name)).Append(" · OC appliance</title>\n")
            .Append("<link rel=\"icon\" href=\"data:,\">\n")
            .Append("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>\n")
            .Append("<style nonce=\"").Append(E(nonce)).Append("\">").Append(Css).Append("</style>\n</head>\n<body>\n");

        h.Append("<header>\n<h1 data-k=\"name\">").Append(E(s.Name)).Append("</h1>\n")
            .Append("<span class=\"sub\">oc-appliance <span data-k=\"version\">").Append(E(s.Version))
            .Append("</span> · up <span data-k=\"uptime_seconds\" data-f=\"uptime\">").Append(E(StatusFormat.Uptime(s.UptimeSeconds))).Append("</span></span>\n")
            .Append("<span id=\"health\" class=\"").Append(s.Healthy ? "pill" : "pill bad").Append("\">")
            .Append(s.Healthy ? "healthy" : "storage fault").Append("</span>\n")
            .Append(s.Tls
                ? "<span id=\"tls\" class=\"pill\">TLS</span>\n"
                : "<span id=\"tls\" class=\"pill bad\">not encrypted: --insecure-plaintext</span>\n")
            .Append("</header>\n<main>\n<section class=\"cards\">\n");

        Card(h, "Users", "users_registered", "int", StatusFormat.Int(s.UsersRegistered),
            "registered · ", "users_present", "int", StatusFormat.Int(s.UsersPresent), " online");
        Card(h, "Connections", "connections", "int", StatusFormat.Int(s.Connections),
            "", "users_online", "int", StatusFormat.Int(s.UsersOnline), " users logged in");
        Card(h, "Messages", "messages_stored", "int", StatusFormat.Int(s.MessagesStored),
            "stored · ", "messages_per_second", "rate", StatusFormat.Rate(s.MessagesPerSecond), "/s");
        Card(h, "Files", "files_stored", "int", StatusFormat.Int(s.FilesStored),
            "stored · ", "file_bytes_stored", "bytes", StatusFormat.Bytes(s.FileBytesStored), "");
        Card(h, "Disk free", "disk_free_bytes", "bytes", StatusFormat.Bytes(s.DiskFreeBytes),
            "in the data folder", null, null, null, "");
        Card(h, "Friend requests", "friend_requests_pending", "int", StatusFormat.Int(s.FriendRequestsPending),
            "waiting · ", "blocks", "int", StatusFormat.Int(s.Blocks), " blocks");
        Card(h, "Rooms", "rooms", "int", StatusFormat.Int(s.Rooms),
            "rooms · ", "room_messages_stored", "int", StatusFormat.Int(s.RoomMessagesStored), " messages");

        h.Append("</section>\n<section>\n<h2 class=\"title\">Last errors and warnings</h2>\n<div id=\"problems\">");
        Problems(h, s.LastErrors);
        h.Append("</div>\n</section>\n<section>\n<h2 class=\"title\">Rate limits</h2>\n<div id=\"limits\">");
        RateLimits(h, s);
        h.Append("</div>\n</section>\n</main>\n");

        h.Append("<footer>Appliance id <code data-k=\"appliance_id\">").Append(E(s.ApplianceId)).Append("</code> · ");
        if (s.TlsFingerprint is not null)
            h.Append("certificate <code data-k=\"tls_fingerprint\">").Append(E(s.TlsFingerprint)).Append("</code> · ");
        else
            h.Append("<span class=\"bad\">no TLS: messages, logins and tokens cross the network in clear</span> · ");
        h
            .Append("<a href=\"/api/status\">/api/status</a> · <a href=\"/metrics\">/metrics</a> · <a href=\"/healthz\">/healthz</a> · ")
            .Append("<span id=\"updated\">updates every 2 s</span></footer>\n")
            .Append("<script nonce=\"").Append(E(nonce)).Append("\">").Append(Script).Append("</script>\n</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>HTML-escapes text for element content and double-quoted attributes (&amp; &lt; &gt; &quot; &#39;).</summary>
    internal static string E(string text) => WebUtility.HtmlEncode(text);

    private static void Card(StringBuilder h, string title, string key, string format, string value,
        string before, string? subKey, string? subFormat, string? subValue, string after)
    {
        h.Append("<div class=\"card\"><h2>").Append(E(title)).Append("</h2><p class=\"big\" data-k=\"").Append(key)
            .Append("\" data-f=\"").Append(format).Append("\">").Append(E(value)).Append("</p><p class=\"small\">").Append(E(before));
        if (subKey is not null)
        {
            // The number and its word stay on one line when the card is narrow.
            h.Append("<span class=\"nw\"><span data-k=\"").Append(subKey).Append("\" data-f=\"").Append(subFormat).Append("\">")
                .Append(E(subValue!)).Append("</span>").Append(E(after)).Append("</span>");
        }
        else
        {
            h.Append(E(after));
        }
        h.Append("</p></div>\n");
    }

    private static void Problems(StringBuilder h, IReadOnlyList<StatusLogLine> lines)
    {
        if (lines.Count == 0)
        {
            h.Append("<p class=\"none\">None since the appliance started.</p>");
            return;
        }
        h.Append("<table><tr><th>Time (UTC)</th><th>Level</th><th>Event</th><th>Times</th><th>Latest message</th></tr>");
        foreach (var line in lines)
        {
            h.Append("<tr><td class=\"t\">").Append(E(StatusFormat.Time(line.TimeUtc)))
                .Append("</td><td class=\"").Append(E(line.Level)).Append("\">").Append(E(line.Level))
                .Append("</td><td class=\"ev\">").Append(E(line.Event))
                .Append("</td><td class=\"n\">").Append(E(StatusFormat.Int(line.Count)))
                .Append("</td><td class=\"msg\">").Append(E(line.Text)).Append("</td></tr>");
        }
        h.Append("</table>");
    }

    private static void RateLimits(StringBuilder h, ApplianceStatus s)
    {
        if (!s.RateLimitsOn)
        {
            h.Append("<p class=\"none\">Off (--no-rate-limits).</p>");
            return;
        }
        h.Append("<table><tr><th>Kind</th><th>Per</th><th>Limit</th><th>Refused</th></tr>");
        foreach (var r in s.RateLimits)
        {
            h.Append("<tr><td class=\"ev\">").Append(E(r.Kind)).Append("</td><td>").Append(E(r.Per))
                .Append("</td><td>").Append(E(r.Description)).Append("</td><td class=\"n\">").Append(E(StatusFormat.Int(r.Limited))).Append("</td></tr>");
        }
        h.Append("</table>");
    }

    private const string Css = """

        :root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--fg:#1d2330;--dim:#687085;--line:#e2e5eb;--ok:#1a7f37;--bad:#c0362c;--warn:#9a6700}
        @media (prefers-color-scheme:dark){:root{--bg:#14171c;--card:#1d2128;--fg:#e6e9ef;--dim:#959db0;--line:#2c313a;--ok:#2ea043;--bad:#da3633;--warn:#d29922}}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
        header,main,footer{max-width:60rem;margin:0 auto;padding:1rem 1.25rem}
        header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;padding-top:1.5rem}
        h1{font-size:1.6rem;margin:0;font-weight:600;overflow-wrap:anywhere}
        .sub{color:var(--dim)}
        .pill{padding:.1rem .65rem;border-radius:1rem;font-size:.8rem;font-weight:600;color:#fff;background:var(--ok)}
        .pill.bad{background:var(--bad)}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.75rem}
        .card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.8rem 1rem}
        .card h2{margin:0;font-size:.75rem;font-weight:600;letter-spacing:.05em;text-transform:uppercase;color:var(--dim)}
        .card p{margin:0}
        .big{font-size:1.7rem;font-weight:600;margin:.15rem 0 0;font-variant-numeric:tabular-nums}
        .small{color:var(--dim);font-size:.85rem}
        h2.title{font-size:1rem;margin:1.25rem 0 .5rem}
        #problems{overflow-x:auto}
        table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);font-size:.85rem}
        td,th{padding:.4rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        th{color:var(--dim);font-weight:600}
        td.t{white-space:nowrap;font-variant-numeric:tabular-nums;color:var(--dim)}
        td.msg{overflow-wrap:anywhere}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        #limits{overflow-x:auto}
        .ERR{color:var(--bad);font-weight:600}
        .WRN{color:var(--warn);font-weight:600}
        .none{color:var(--dim);margin:0}
        .nw{white-space:nowrap}
        @media (max-width:40rem){
        #problems table,#problems tbody,#problems tr,#problems td{display:block}
        #problems tr:first-child{display:none}
        #problems tr{border-bottom:1px solid var(--line);padding:.35rem .6rem}
        #problems td{border:0;padding:0}
        #problems td.t,#problems td.ERR,#problems td.WRN,#problems td.ev,#problems td.n{display:inline-block;margin-right:.5rem}
        #problems td.n::before{content:"×"}
        }
        footer{color:var(--dim);font-size:.8rem}
        footer a{color:inherit}

        """;

    // Formats as StatusFormat does; writes through textContent only.
    private const string Script = """

        (function () {
          "use strict";
          var units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
          function two(n) { return (n < 10 ? "0" : "") + n; }
          var formats = {
            int: function (v) { return Number(v).toLocaleString("en-US"); },
            rate: function (v) { return Number(v).toFixed(1); },
            bytes: function (v) {
              if (v < 0) return "unknown";
              var k = 0, x = v;
              while (x >= 1024 && k < units.length - 1) { x /= 1024; k++; }
              return k === 0 ? v + " B" : x.toFixed(1) + " " + units[k];
            },
            uptime: function (v) {
              var d = Math.floor(v / 86400);
              var clock = two(Math.floor(v % 86400 / 3600)) + ":" + two(Math.floor(v % 3600 / 60)) + ":" + two(v % 60);
              return d > 0 ? d + "d " + clock : clock;
            }
          };
          function cell(row, text, cls) {
            var c = row.insertCell();
            c.textContent = text;
            if (cls) c.className = cls;
          }
          function problems(list) {
            if (!list || list.length === 0) {
              var p = document.createElement("p");
              p.className = "none";
              p.textContent = "None since the appliance started.";
              return p;
            }
            var table = headed(["Time (UTC)", "Level", "Event", "Times", "Latest message"]);
            list.forEach(function (e) {
              var row = table.insertRow();
              cell(row, String(e.time_utc).replace("T", " ").replace(/(\.\d+)?Z$/, ""), "t");
              cell(row, e.level, e.level === "ERR" ? "ERR" : "WRN");
              cell(row, e.event, "ev");
              cell(row, formats.int(e.count), "n");
              cell(row, e.text, "msg");
            });
            return table;
          }
          function headed(titles) {
            var table = document.createElement("table");
            var head = table.insertRow();
            titles.forEach(function (t) {
              var th = document.createElement("th");
              th.textContent = t;
              head.appendChild(th);
            });
            return table;
          }
          function limits(s) {
            if (!s.rate_limits_on) {
              var p = document.createElement("p");
              p.className = "none";
              p.textContent = "Off (--no-rate-limits).";
              return p;
            }
            var table = headed(["Kind", "Per", "Limit", "Refused"]);
            (s.rate_limits || []).forEach(function (r) {
              var row = table.insertRow();
              cell(row, r.kind, "ev");
              cell(row, r.per);
              cell(row, r.description);
              cell(row, formats.int(r.limited), "n");
            });
            return table;
          }
          function render(s) {
            document.querySelectorAll("[data-k]").forEach(function (el) {
              var v = s[el.getAttribute("data-k")];
              if (v === undefined || v === null) return;
              var f = formats[el.getAttribute("data-f")];
              el.textContent = f ? f(v) : String(v);
            });
            var health = document.getElementById("health");
            health.textContent = s.healthy ? "healthy" : "storage fault";
            health.className = s.healthy ? "pill" : "pill bad";
            document.title = s.name + " · OC appliance";
            document.getElementById("problems").replaceChildren(problems(s.last_errors));
            document.getElementById("limits").replaceChildren(limits(s));
            document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
          }
          function tick() {
            fetch("/api/status", { cache: "no-store" })
              .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
              .then(render)
              .catch(function () {
                var health = document.getElementById("health");
                health.textContent = "unreachable";
                health.className = "pill bad";
              })
              .finally(function () { setTimeout(tick, 2000); });
          }
          setTimeout(tick, 2000);
        })();

        """;
}

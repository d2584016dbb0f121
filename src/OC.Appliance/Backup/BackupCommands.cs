using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OC.Appliance.Admin;
using OC.Appliance.Diagnostics;
using OC.Appliance.Security;
using OC.Appliance.Storage;
using OC.Protocol.Client;

namespace OC.Appliance.Backup;

/// <summary>
/// <c>oc-appliance backup --data DIR --to FILE</c> and <c>oc-appliance restore FILE --data NEWDIR</c>:
/// a consistent, compressed snapshot of accounts, messages and files, taken while the appliance
/// runs (or not), and the data folder made from it again (docs/architecture.md, "Backups").
/// </summary>
internal static class BackupCommands
{
    public static Command CreateBackup()
    {
        var data = new Option<string>("--data") { Description = "The appliance's data folder", DefaultValueFactory = _ => "oc-data", HelpName = "DIR" };
        var to = new Option<string>("--to") { Description = "The backup file to write (a new file; .tar.gz)", Required = true, HelpName = "FILE" };
        var excludeKey = new Option<bool>("--exclude-tls-key") { Description = "Leave the TLS private key out (keep your own copy of DIR/tls-key.pem: without it the restored appliance does not start)" };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object on one line" };
        var command = new Command("backup", """
            Write a consistent, compressed backup (tar.gz) of the accounts and friends, the messages and the
            stored files, while the appliance runs (through its admin socket, DIR/admin.sock) or while it is
            stopped. Partial uploads are left out. The backup holds the password verifiers and the TLS private
            key: keep it as safe as the appliance itself. A progress bar is drawn on a terminal only.
            --json: {"archive":"/backups/oc.tar.gz","bytes":123,"dataBytes":456,"seconds":1.2,"source":"running","applianceId":"...","users":3,"friendships":2,"messages":120,"lastSeq":120,"files":1,"partialUploadsLeftOut":0,"tlsKeyIncluded":true}
            Exit codes: 0 written; 1 failed (nothing written); 2 wrong command line.
            """) { data, to, excludeKey, json };
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            var result = await BackupRunner.RunAsync(parse.GetValue(data)!, parse.GetValue(to)!, parse.GetValue(excludeKey), new ProgressBar("backup", 0), ct).ConfigureAwait(false);
            var m = result.Manifest;
            Console.Out.WriteLine(parse.GetValue(json)
                ? Json(w =>
                {
                    w.WriteString("archive", result.Archive);
                    w.WriteNumber("bytes", result.ArchiveBytes);
                    w.WriteNumber("dataBytes", result.DataBytes);
                    w.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
                    w.WriteString("source", m.Source);
                    Summary(w, m);
                })
                : string.Create(CultureInfo.InvariantCulture,
                    $"Backed up {m.Users:N0} accounts, {m.Messages:N0} messages (up to seq {m.LastSeq}) and {m.Files:N0} files from the {(m.Source == "running" ? "running appliance" : "stopped appliance's data folder")} to {result.Archive}: {result.ArchiveBytes / 1048576.0:0.0} MiB from {result.DataBytes / 1048576.0:0.0} MiB in {result.Elapsed.TotalSeconds:0.0} s.")
                  + (m.PartialUploadsLeftOut > 0 ? $" {m.PartialUploadsLeftOut} partial upload(s) were left out." : "")
                  + (m.TlsKeyIncluded ? " It holds password verifiers and the TLS private key: keep it safe." : " It holds password verifiers: keep it safe."));
            return 0;
        }));
        return command;
    }

    public static Command CreateRestore()
    {
        var file = new Argument<string>("FILE") { Description = "A backup written by oc-appliance backup" };
        var data = new Option<string>("--data") { Description = "The folder to restore into: new, or empty", Required = true, HelpName = "NEWDIR" };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object on one line" };
        var command = new Command("restore", """
            Make a data folder from a backup: the same accounts, friends, messages, files, appliance id and TLS
            certificate (so clients see the same fingerprint). Refuses a folder that is not empty, and an archive
            that is damaged or cut short (every part is checked against the SHA-256 in its manifest first).
            Then start the appliance on it: oc-appliance --data NEWDIR.
            --json: {"data":"/srv/oc-data","applianceId":"...","created":"2026-01-01T00:00:00Z","users":3,"friendships":2,"messages":120,"lastSeq":120,"files":1,"partialUploadsLeftOut":0,"tlsKeyIncluded":true}
            Exit codes: 0 restored; 1 refused or failed (nothing restored); 2 wrong command line.
            """) { file, data, json };
        command.SetAction((parse, ct) => RunAsync(() =>
        {
            string target = Path.GetFullPath(parse.GetValue(data)!);
            var m = ArchiveRestorer.Restore(parse.GetValue(file)!, target, new ProgressBar("restore", 0));
            Console.Out.WriteLine(parse.GetValue(json)
                ? Json(w =>
                {
                    w.WriteString("data", target);
                    w.WriteString("created", m.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                    Summary(w, m);
                })
                : string.Create(CultureInfo.InvariantCulture,
                    $"Restored {m.Users:N0} accounts, {m.Messages:N0} messages (up to seq {m.LastSeq}) and {m.Files:N0} files of appliance {m.ApplianceId}, backed up {m.Created:yyyy-MM-dd HH:mm} UTC, into {target}; start it with: oc-appliance --data {target}")
                  + (m.TlsKeyIncluded || !m.Members.Exists(member => member.Name == TlsIdentity.CertificateFileName) ? "" : $"\nThe backup holds no TLS private key: put your copy of tls-key.pem into {target} before starting it (or delete tls-cert.pem there for a new certificate, which every client will see as a changed fingerprint)."));
            return Task.FromResult(0);
        }));
        return command;
    }

    private static void Summary(Utf8JsonWriter w, BackupManifest m)
    {
        w.WriteString("applianceId", m.ApplianceId);
        w.WriteNumber("users", m.Users);
        w.WriteNumber("friendships", m.Friendships);
        w.WriteNumber("messages", m.Messages);
        w.WriteNumber("lastSeq", m.LastSeq);
        w.WriteNumber("files", m.Files);
        w.WriteNumber("partialUploadsLeftOut", m.PartialUploadsLeftOut);
        w.WriteBoolean("tlsKeyIncluded", m.TlsKeyIncluded);
    }

    /// <summary>As the appliance: private files, warnings only; every failure one line and exit code 1.</summary>
    private static async Task<int> RunAsync(Func<Task<int>> work)
    {
        PrivateFiles.RestrictUmask();
        Log.MinLevel = LogLevel.Warn;
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled");
        }
        catch (DamagedArchiveException e)
        {
            return Fail($"the backup is damaged or incomplete: {e.Message}; nothing was restored");
        }
        catch (Exception e) when (e is AdminException or IOException or OcErrorException or LiteDB.LiteException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    private static string Json(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            fields(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("oc-appliance: " + message);
        return 1;
    }
}

using System.CommandLine;
using OC.Appliance.Net.Tls;
using OC.Appliance.Security;

namespace OC.Appliance.Admin;

/// <summary>
/// <c>oc-appliance fingerprint [--data DIR] [--tls-cert FILE] [--json]</c>: the SHA-256 fingerprint of
/// the certificate the appliance presents, for the person at its console to compare with what a
/// client shows at its first connection (or after a warning that it changed).
/// </summary>
internal static class FingerprintCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The appliance's data folder", DefaultValueFactory = _ => "oc-data", HelpName = "DIR" };
        var certificate = new Option<string>("--tls-cert") { Description = "The certificate given to the appliance with --tls-cert, if any", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print {\"fingerprint\":\"SHA256:...\"} on one line" };
        var command = new Command("fingerprint", """
            Print the fingerprint of the appliance's TLS certificate (what `oc` shows at the first connection).
            Compare the two before answering yes; a client that warns of a changed fingerprint is either
            talking to someone else, or this appliance got a new certificate (a new data folder).
            Exit codes: 0 printed; 1 no certificate (the appliance makes one at its first start) or no access.
            """)
        { data, certificate, json };
        command.SetAction(parse =>
        {
            string folder = parse.GetValue(data)!;
            string? path = parse.GetValue(certificate);
            string? fingerprint;
            try
            {
                fingerprint = path is not null ? TlsIdentity.FromFiles(path, path).Fingerprint : TlsIdentity.ReadFingerprint(folder);
            }
            catch (TlsSetupException e)
            {
                Console.Error.WriteLine("oc-appliance: " + e.Message);
                return 1;
            }
            if (fingerprint is null)
            {
                Console.Error.WriteLine($"oc-appliance: no certificate in {Path.GetFullPath(folder)} yet: the appliance makes one at its first start");
                return 1;
            }
            Console.WriteLine(parse.GetValue(json) ? $"{{\"fingerprint\":\"{fingerprint}\"}}" : fingerprint);
            return 0;
        });
        return command;
    }
}

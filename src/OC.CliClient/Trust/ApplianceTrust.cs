using OC.CliClient.Commands;
using OC.CliClient.Config;
using OC.CliClient.Discovery;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Security;

namespace OC.CliClient.Trust;

/// <summary>Opens one connection over the transport it is given (<see cref="ApplianceLink.ConnectAsync"/> with the command's timeout and rate-limit waits).</summary>
internal delegate Task<ApplianceLink> TransportConnect(OcTransport transport, CancellationToken cancellationToken);

/// <summary>
/// Trust on first use, as SSH does it, for every connection of one command. The certificate is
/// judged inside the TLS handshake (<see cref="TrustDecision"/>), so an appliance that is not
/// trusted never receives anything of ours: no password, no token, not even HELLO. A person who
/// must decide is asked after the handshake was aborted, never while it is held open (the
/// appliance gives a connection only so long to log in); a "yes" connects again with exactly the
/// accepted fingerprint pinned, and remembers it once that connection stands.
/// </summary>
internal sealed class ApplianceTrust(
    TrustStore store,
    TrustOptions options,
    bool insecure,
    CliEnvironment environment,
    Func<CancellationToken, Task<IReadOnlyList<DiscoveredAppliance>>> lan,
    TimeProvider time)
{
    private bool _plaintextNoted;

    /// <summary>Connects to <paramref name="server"/> over TLS with the trust rules (plaintext with <c>--insecure</c>).</summary>
    public async Task<ApplianceLink> ConnectAsync(ServerAddress server, TransportConnect connect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connect);
        if (insecure)
        {
            try
            {
                var plain = await connect(OcTransport.Plaintext, cancellationToken).ConfigureAwait(false);
                NotePlaintext(server);
                return plain;
            }
            catch (Exception e) when (IsTlsRequired(e))
            {
                // The appliance speaks TLS after all: --insecure allows plaintext, it does not ask
                // for it, so go on as without it. Our HELLO was all it got (no secret in it).
            }
        }

        // Read before the handshake: the decision inside it must not fail on a damaged file.
        var known = store.Load();
        ApplianceCertificate? seen = null;
        TrustVerdict? verdict = null;
        var transport = OcTransport.Tls(certificate =>
        {
            seen = certificate;
            verdict = TrustDecision.Decide(certificate.Fingerprint, certificate.ApplianceId, server, known, options);
            return verdict.Accepts;
        });

        ApplianceLink link;
        try
        {
            link = await connect(transport, cancellationToken).ConfigureAwait(false);
        }
        catch (OcUntrustedCertificateException e) when (verdict is not null)
        {
            return await RefusedAsync(server, e.Certificate, verdict, connect, cancellationToken).ConfigureAwait(false);
        }
        catch (OcConnectionException e) when (seen is null && e.InnerException is null)
        {
            // No certificate came, and the appliance answered in plaintext: it does not speak TLS
            // (TlsHandshake.PlaintextAnswer). Still an OcConnectionException, so that oc listen and
            // oc chat keep trying as for any other break (an appliance being restarted, say).
            throw new OcConnectionException(TrustMessages.NoTls(server), e);
        }

        try
        {
            Remembered(server, seen!, verdict!);
            return link;
        }
        catch
        {
            await link.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Whether a command that reads a password on the terminal should settle trust first
    /// (<see cref="CommandContext.SettleTrustAsync"/>): when a person could be asked about an
    /// appliance that nothing is trusted at this address yet.
    /// </summary>
    public bool MayAsk(ServerAddress server) =>
        !insecure && options is { CanAsk: true, Fingerprint: null, FirstUse: false } && TrustStore.FindByAddress(store.Load(), server) is null;

    private async Task<ApplianceLink> RefusedAsync(
        ServerAddress server, ApplianceCertificate certificate, TrustVerdict verdict, TransportConnect connect, CancellationToken cancellationToken)
    {
        switch (verdict.Kind)
        {
            case TrustVerdictKind.Changed:
                environment.Error.Write(TrustMessages.Changed(verdict.Known!, certificate, server));
                environment.Error.Flush();
                throw new CliException(TrustMessages.ChangedRefusal(server));
            case TrustVerdictKind.NotTheGivenFingerprint:
                throw new CliException(TrustMessages.NotTheGivenFingerprint(certificate, server, options.Fingerprint!));
            case TrustVerdictKind.Ask:
                break;
            default:
                throw CliException.Usage(TrustMessages.UnknownWithoutTerminal(certificate, server));
        }

        string lanLine = TrustMessages.LanLine(certificate, server, await LookOnLanAsync(cancellationToken).ConfigureAwait(false));
        environment.Error.Write(TrustMessages.FirstConnection(certificate, server, lanLine));
        environment.Error.Flush();
        if (!IsYes(environment.OpenIn().ReadLine(), certificate.Fingerprint)) throw new CliException(TrustMessages.Declined(server));

        string accepted = certificate.Fingerprint;
        ApplianceLink link;
        try
        {
            link = await connect(OcTransport.Tls(c => Fingerprints.AreEqual(c.Fingerprint, accepted)), cancellationToken).ConfigureAwait(false);
        }
        catch (OcUntrustedCertificateException other)
        {
            throw new CliException(TrustMessages.OtherCertificateOnReconnect(other.Certificate, server, accepted));
        }

        try
        {
            var trusted = Remember(server, certificate);
            environment.Error.WriteLine($"oc: trusting {TrustMessages.ShellWord(trusted.Label)} ({accepted}) from now on");
            environment.Error.Flush();
            return link;
        }
        catch
        {
            await link.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // A TLS appliance answers a plaintext HELLO with ERROR TlsRequired and closes.
    private static bool IsTlsRequired(Exception e) =>
        e is OcErrorException { Code: ErrorCode.TlsRequired } or OcConnectionException { InnerException: OcErrorException { Code: ErrorCode.TlsRequired } };

    /// <summary>"yes" (or "y"), or the fingerprint itself pasted, as OpenSSH takes it; anything else is no.</summary>
    internal static bool IsYes(string? answer, string fingerprint)
    {
        answer = answer?.Trim();
        if (string.IsNullOrEmpty(answer)) return false;
        return answer.Equals("yes", StringComparison.OrdinalIgnoreCase) || answer.Equals("y", StringComparison.OrdinalIgnoreCase)
            || (Fingerprints.TryParse(answer, out var typed) && Fingerprints.AreEqual(typed, fingerprint));
    }

    // After a connection that stands: a certificate accepted by an option is remembered; a trusted
    // appliance found at a new address, or under a new name, is remembered there.
    private void Remembered(ServerAddress server, ApplianceCertificate certificate, TrustVerdict verdict)
    {
        if (verdict.Kind == TrustVerdictKind.AcceptedByOption)
        {
            Remember(server, certificate);
        }
        else if (verdict.Known is { } known
            && (!known.Server.SameAs(server) || (certificate.Name is { Length: > 0 } name && name != known.Name)))
        {
            store.Remember(known with { Address = server.ToString(), Name = certificate.Name is { Length: > 0 } ? certificate.Name : known.Name });
        }
    }

    private TrustedAppliance Remember(ServerAddress server, ApplianceCertificate certificate) =>
        store.Remember(new TrustedAppliance(
            certificate.ApplianceId is { Length: > 0 } id ? id : null,
            certificate.Name is { Length: > 0 } name ? name : null,
            server.ToString(),
            certificate.Fingerprint,
            time.GetUtcNow()));

    private void NotePlaintext(ServerAddress server)
    {
        if (_plaintextNoted) return;
        _plaintextNoted = true;
        environment.Error.WriteLine(TrustMessages.Unencrypted(server));
        environment.Error.Flush();
    }

    // What the LAN announces is shown beside the question; a look that fails only leaves it out.
    private async Task<IReadOnlyList<DiscoveredAppliance>?> LookOnLanAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await lan(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using OC.Appliance.Net.Tls;

namespace OC.Tests.Integration;

/// <summary>
/// The TLS engines this machine can run, for tests that run against each: OpenSSL's memory BIOs
/// (where libssl.so.3 is, so on every Linux test machine) and SslStream (everywhere; what Windows
/// and macOS get).
/// </summary>
public static class TlsEngines
{
    public static TheoryData<string> All { get; } = OpenSslServer.IsAvailable()
        ? new TheoryData<string> { TlsListener.OpenSsl, TlsListener.SslStream }
        : new TheoryData<string> { TlsListener.SslStream };
}

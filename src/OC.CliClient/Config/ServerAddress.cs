using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OC.CliClient.Config;

/// <summary>
/// An appliance address as typed after <c>--server</c> or in <c>OC_SERVER</c>: <c>HOST</c>,
/// <c>HOST:PORT</c>, <c>[IPV6]</c>, <c>[IPV6]:PORT</c>, or a bare IPv6 address (without port).
/// The port defaults to <see cref="DefaultPort"/>.
/// </summary>
internal readonly record struct ServerAddress(string Host, int Port)
{
    public const int DefaultPort = 6677;

    public const string Syntax = "HOST[:PORT] (IPv6 as [ADDR]:PORT)";

    /// <summary>Reads an address; on failure <paramref name="error"/> says what is wrong, for one line after "oc: ".</summary>
    public static bool TryParse(string? text, out ServerAddress address, [NotNullWhen(false)] out string? error)
    {
        address = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "the address is empty";
            return false;
        }

        string host;
        string? port;
        if (text[0] == '[')
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}' has '[' without ']'";
                return false;
            }

            host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                error = $"'{text}' has something other than ':PORT' after ']'";
                return false;
            }

            port = rest.Length > 0 ? rest[1..] : null;
            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' in brackets is not an IPv6 address";
                return false;
            }

            host = ip.ToString();
        }
        else if (text.IndexOf(':', StringComparison.Ordinal) != text.LastIndexOf(':'))
        {
            // Two colons or more: only a whole IPv6 address makes sense, and then without a port.
            if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{text}' is not HOST:PORT; write an IPv6 address with a port as [ADDR]:PORT";
                return false;
            }

            host = ip.ToString();
            port = null;
        }
        else
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
            if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                error = host.Length == 0 ? $"'{text}' has no host name" : $"'{host}' is not a host name or an IP address";
                return false;
            }
        }

        int portNumber = DefaultPort;
        if (port is not null && !TryParsePort(port, out portNumber))
        {
            error = $"'{port}' is not a port number (1..65535)";
            return false;
        }

        address = new ServerAddress(host, portNumber);
        error = null;
        return true;
    }

    /// <summary>Same address? Host names compare without case, as DNS does.</summary>
    public bool SameAs(ServerAddress other) =>
        Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>host:port</c>, or <c>[ipv6]:port</c>: the form <see cref="TryParse"/> reads back.</summary>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal)
            ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    private static bool TryParsePort(string text, out int port)
    {
        // Digits only: int.TryParse would also take "+80", " 80" or "0x50"-like surprises.
        port = 0;
        if (text.Length is 0 or > 5) return false;
        foreach (char c in text)
        {
            if (c is < '0' or > '9') return false;
            port = (port * 10) + (c - '0');
        }

        return port is >= 1 and <= 65535;
    }
}

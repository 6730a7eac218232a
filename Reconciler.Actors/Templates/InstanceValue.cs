using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Actors.Templates;

/// <summary>
/// An application instance's registration, <c>&lt;name&gt; &lt;host&gt;:&lt;port&gt;</c>, parsed strictly: the name
/// is 1–64 of <c>A–Z a–z 0–9 . _ - :</c> (what HAProxy takes as a server name), the host an IPv4 literal, an IPv6
/// literal in brackets or a DNS host name, the port 1–65535; one space between them and nothing else. A value that
/// parses cannot carry a second word, a comment or a line into the file it is rendered into.
/// </summary>
internal sealed record InstanceValue(string Name, string Host, int Port)
{
    private const int MaxNameLength = 64;
    private const int MaxHostNameLength = 253;

    /// <summary><c>host:port</c>, an IPv6 host in brackets.</summary>
    public string Address => Host.Contains(':') ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The value it was parsed from, as it was.</summary>
    public string Value => $"{Name} {Address}";

    /// <param name="reason">Why it does not parse, without quoting the value (it may be hostile).</param>
    public static bool TryParse(string value, out InstanceValue? instance, out string reason)
    {
        instance = null;
        var space = value.IndexOf(' ');
        if (space < 0 || value.IndexOf(' ', space + 1) >= 0)
        {
            reason = "is not \"<name> <host>:<port>\" (one space between name and address)";
            return false;
        }

        var name = value[..space];
        if (!IsName(name))
        {
            reason = $"has a name that is not 1-{MaxNameLength} of A-Z a-z 0-9 . _ - :";
            return false;
        }

        var address = value[(space + 1)..];
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !TryParsePort(address[(colon + 1)..], out var port))
        {
            reason = "has no port from 1 to 65535 after the host";
            return false;
        }

        if (!TryParseHost(address[..colon], out var host))
        {
            reason = "has a host that is neither an IP address ([...] for IPv6) nor a host name";
            return false;
        }

        instance = new InstanceValue(name, host, port);
        reason = string.Empty;
        return true;
    }

    private static bool IsName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':');

    /// <summary>Decimal digits only, no sign or leading zero.</summary>
    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text[0] != '0' && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }

    private static bool TryParseHost(string text, out string host)
    {
        host = text;
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            host = text[1..^1];
            return host.Length > 0 && host.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
                && IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IsIpv4(text) || IsHostName(text);
    }

    /// <summary>Four decimal octets; IPAddress.TryParse alone would take "1" or "0x7f.1".</summary>
    private static bool IsIpv4(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    /// <summary>
    /// RFC 1123 labels: letters, digits and inner hyphens, 1–63 each; the last one not all digits, so nothing a resolver
    /// would read as a number in another base (<c>0x7f.0.0.1</c>) or a malformed IPv4 passes as a name.
    /// </summary>
    private static bool IsHostName(string text)
    {
        var labels = text.Split('.');
        return text.Length is > 0 and <= MaxHostNameLength
            && labels.All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-')
            && !labels[^1].All(char.IsAsciiDigit);
    }
}

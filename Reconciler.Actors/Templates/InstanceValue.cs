using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Reconciler.Actors.Networks;

namespace Reconciler.Actors.Templates;

/// <summary>
/// An application instance's registration, <c>&lt;name&gt; &lt;host&gt;:&lt;port&gt;</c>, parsed strictly: the name
/// is 1–64 of <c>A–Z a–z 0–9 . _ - :</c> (what HAProxy takes as a server name), the host an IPv4 literal, an IPv6
/// literal in brackets (each as HAProxy reads it: <see cref="HaproxyAddressSyntax"/>) or a DNS host name, the port
/// 1–65535; one space between them and nothing else. A value that parses cannot carry a second word, a comment or a
/// line into the file it is rendered into. Whether it may point where it does is <see cref="Refusal"/>'s question.
/// </summary>
internal sealed record InstanceValue(string Name, string Host, int Port)
{
    private const int MaxNameLength = 64;
    private const int MaxHostNameLength = 253;

    /// <summary><c>host:port</c>, an IPv6 host in brackets.</summary>
    public string Address => Host.Contains(':') ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The value it was parsed from, as it was.</summary>
    public string Value => $"{Name} {Address}";

    /// <summary>Why <paramref name="policy"/> refuses where this instance points, as a phrase about its host; null when it may.</summary>
    public string? Refusal(AddressPolicy policy) => HostRefusal(Host, policy);

    /// <summary>The same for a host <see cref="TryParseEndpoint"/> parsed: an address, else a host name.</summary>
    public static string? HostRefusal(string host, AddressPolicy policy) =>
        HaproxyAddressSyntax.TryParseAddress(host, out var address) ? policy.Refusal(address) : policy.HostNameRefusal();

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

        if (!TryParseEndpoint(value[(space + 1)..], out var host, out var port, out reason))
        {
            return false;
        }

        instance = new InstanceValue(name, host, port);
        return true;
    }

    /// <summary><c>&lt;host&gt;:&lt;port&gt;</c> alone, by the same rules; <paramref name="host"/> without brackets.</summary>
    public static bool TryParseEndpoint(string address, out string host, out int port, out string reason)
    {
        host = string.Empty;
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !TryParsePort(address[(colon + 1)..], out port))
        {
            port = 0;
            reason = "has no port from 1 to 65535 after the host";
            return false;
        }

        if (!TryParseHost(address[..colon], out host))
        {
            reason = "has a host that is neither an IP address ([...] for IPv6) nor a host name";
            return false;
        }

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
            return HaproxyAddressSyntax.TryParseAddress(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return (HaproxyAddressSyntax.TryParseAddress(text, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork) || IsHostName(text);
    }

    /// <summary>
    /// RFC 1123 labels: letters, digits and inner hyphens, 1–63 each; the last one not all digits, and nothing the C
    /// resolver reads as an IPv4 address in another form (<c>0x7f000001</c>, <c>0x7f.1</c>): HAProxy would resolve such
    /// a "name" to the address it spells, past every rule on addresses.
    /// </summary>
    private static bool IsHostName(string text)
    {
        var labels = text.Split('.');
        return text.Length is > 0 and <= MaxHostNameLength
            && labels.All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-')
            && !labels[^1].All(char.IsAsciiDigit)
            && !HaproxyAddressSyntax.IsResolverNumber(text);
    }
}

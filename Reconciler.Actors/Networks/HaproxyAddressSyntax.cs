using System.Globalization;
using System.Net;

namespace Reconciler.Actors.Networks;

/// <summary>
/// Addresses and networks as HAProxy 2.6 reads them without a resolver: <c>inet_pton</c> (glibc's rules, which
/// HAProxy's <c>str2ip2</c>, <c>str2net</c> and <c>str62net</c> call), never .NET's <c>IPAddress.TryParse</c>, which
/// also takes <c>[::1]</c>, <c>fe80::1%1</c>, <c>0x7f.0.0.1</c> or <c>10.1</c>. Where HAProxy takes a form only
/// through its resolver (a host name, <c>0x7f000001</c>, <c>127.1</c>) or a form this project has no use for (a dotted
/// mask, <c>/024</c>), it is refused here: everything accepted here is accepted by HAProxy, as the same address.
/// </summary>
internal static class HaproxyAddressSyntax
{
    /// <summary>An IPv6 literal (checked first, as <c>str2ip2</c> does) or a dotted-quad IPv4 literal.</summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (TryParseIpv6(text, bytes))
        {
            address = new IPAddress(bytes);
            return true;
        }

        if (TryParseIpv4(text, bytes[..4]))
        {
            address = new IPAddress(bytes[..4]);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    /// <summary>
    /// What an ACL pattern file (<c>src -f</c>) and <c>add acl</c> take as an IP pattern (<c>pat_parse_ip</c> without
    /// its start-up DNS fallback): an address, optionally with <c>/bits</c> (0–32 or 0–128, plain decimal). Host bits
    /// past the prefix are allowed, as HAProxy allows them; <paramref name="network"/> has them cleared.
    /// </summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.LastIndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            return false;
        }

        var width = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var length = width;
        if (slash >= 0 && !TryParsePrefixLength(text.AsSpan(slash + 1), width, out length))
        {
            return false;
        }

        network = new IPNetwork(Masked(address, length), length);
        return true;
    }

    /// <summary>
    /// Whether the C library's resolver (<c>inet_aton</c>, behind <c>getaddrinfo</c> and <c>gethostbyname</c>) would
    /// read <paramref name="text"/> as an IPv4 address: 1 to 4 dot-separated numbers, each decimal, octal (<c>0</c>…)
    /// or hexadecimal (<c>0x</c>…), as in <c>0x7f000001</c>, <c>127.1</c> or <c>0177.0.0.1</c>. HAProxy takes such a
    /// "host name" through its resolver, as the address it spells: never a name.
    /// </summary>
    public static bool IsResolverNumber(string text)
    {
        var parts = text.Split('.');
        return parts.Length <= 4 && parts.All(IsCNumber);
    }

    /// <summary>A number <c>strtoul(…, 0)</c> reads whole: <c>0x</c> hex (digits may be none), <c>0</c> octal, else decimal.</summary>
    private static bool IsCNumber(string part)
    {
        if (part.Length == 0)
        {
            return false;
        }

        if (part.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return part[2..].All(char.IsAsciiHexDigit);
        }

        return part[0] == '0' ? part.All(c => c is >= '0' and <= '7') : part.All(char.IsAsciiDigit);
    }

    /// <summary>Plain decimal, no sign and no leading zero (HAProxy's <c>strtol</c> would also take <c>+8</c> or <c>08</c>).</summary>
    private static bool TryParsePrefixLength(ReadOnlySpan<char> text, int width, out int length)
    {
        length = 0;
        return text.Length is 1 or 2 or 3 && (text.Length == 1 || text[0] != '0') && char.IsAsciiDigit(text[0])
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length) && length <= width;
    }

    private static IPAddress Masked(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }

    /// <summary>glibc's <c>inet_pton4</c>: four decimal octets 0–255, no leading zero, nothing else.</summary>
    private static bool TryParseIpv4(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        var octets = 0;
        var sawDigit = false;
        var value = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                if (sawDigit && value == 0)
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
                if (value > 255)
                {
                    return false;
                }

                if (!sawDigit)
                {
                    if (++octets > 4)
                    {
                        return false;
                    }

                    sawDigit = true;
                }
            }
            else if (c == '.' && sawDigit && octets < 4)
            {
                bytes[octets - 1] = (byte)value;
                value = 0;
                sawDigit = false;
            }
            else
            {
                return false;
            }
        }

        if (octets < 4 || !sawDigit)
        {
            return false;
        }

        bytes[3] = (byte)value;
        return true;
    }

    /// <summary>
    /// glibc's <c>inet_pton6</c>: groups of 1–4 hex digits, at most one <c>::</c>, an optional dotted-quad tail; no
    /// brackets, no zone (<c>%eth0</c>), no port.
    /// </summary>
    private static bool TryParseIpv6(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        bytes.Clear();
        var position = 0;
        if (text.Length > 0 && text[0] == ':')
        {
            if (text.Length < 2 || text[1] != ':')
            {
                return false;
            }

            position = 1;
        }

        var filled = 0;
        var gap = -1;
        var groupStart = position;
        var digits = 0;
        var value = 0;
        for (; position < text.Length; position++)
        {
            var c = text[position];
            if (char.IsAsciiHexDigit(c))
            {
                if (++digits > 4)
                {
                    return false;
                }

                value = (value << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            else if (c == ':')
            {
                groupStart = position + 1;
                if (digits == 0)
                {
                    if (gap >= 0)
                    {
                        return false;
                    }

                    gap = filled;
                    continue;
                }

                if (position + 1 == text.Length || filled + 2 > 16)
                {
                    return false;
                }

                bytes[filled++] = (byte)(value >> 8);
                bytes[filled++] = (byte)value;
                digits = 0;
                value = 0;
            }
            else if (c == '.' && filled + 4 <= 16 && TryParseIpv4(text[groupStart..], bytes.Slice(filled, 4)))
            {
                filled += 4;
                digits = 0;
                break;
            }
            else
            {
                return false;
            }
        }

        if (digits > 0)
        {
            if (filled + 2 > 16)
            {
                return false;
            }

            bytes[filled++] = (byte)(value >> 8);
            bytes[filled++] = (byte)value;
        }

        if (gap >= 0)
        {
            if (filled == 16)
            {
                return false;
            }

            var moved = filled - gap;
            bytes.Slice(gap, moved).CopyTo(bytes.Slice(16 - moved, moved));
            bytes.Slice(gap, 16 - filled).Clear();
            filled = 16;
        }

        return filled == 16;
    }
}

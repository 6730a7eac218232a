using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Reconciler.Actors.Display;

namespace Reconciler.Actors.Networks;

/// <summary>
/// Where an instance registration may point (allowed-networks, allow-hostnames): any host may register, and an address
/// HAProxy connects to on a client's behalf must not be the load balancer itself or a service only it can reach.
/// <list type="bullet">
/// <item>Never: unspecified (0.0.0.0/8, ::; HAProxy would connect to wherever the client connected), multicast, the
/// broadcast address.</item>
/// <item>With no allowed networks (the default): any other address except loopback, link-local (169.254.0.0/16 and
/// fe80::/10, where cloud metadata answers) and the load balancer's own addresses.</item>
/// <item>With allowed networks: only an address in one of them; one of the load balancer's own addresses only when
/// listed alone (a /32 or /128), not through a wider network that happens to hold it.</item>
/// </list>
/// An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it is. A host name cannot be judged
/// (HAProxy resolves it when it loads the file): it is taken only with allow-hostnames.
/// </summary>
public sealed class AddressPolicy
{
    /// <summary>No network restriction and host names taken; the never-rules still hold. For a render without rules.</summary>
    public static readonly AddressPolicy Unrestricted = new([new IPNetwork(IPAddress.Any, 0), new IPNetwork(IPAddress.IPv6Any, 0)], allowHostNames: true, ownAddresses: FrozenSet<IPAddress>.Empty, settingPrefix: string.Empty);

    /// <summary>The default rule where the load balancer's own addresses are not known (a render outside the daemon).</summary>
    public static readonly AddressPolicy Default = new([], allowHostNames: false, ownAddresses: FrozenSet<IPAddress>.Empty);

    private static readonly IPNetwork ThisNetwork = IPNetwork.Parse("0.0.0.0/8");
    private static readonly IPNetwork Loopback4 = IPNetwork.Parse("127.0.0.0/8");
    private static readonly IPNetwork LinkLocal4 = IPNetwork.Parse("169.254.0.0/16");
    private static readonly IPNetwork LinkLocal6 = IPNetwork.Parse("fe80::/10");
    private static readonly IPNetwork Multicast4 = IPNetwork.Parse("224.0.0.0/4");
    private static readonly IPNetwork Multicast6 = IPNetwork.Parse("ff00::/8");

    private readonly Func<IReadOnlySet<IPAddress>> _ownAddresses;
    private readonly string _settingPrefix;

    /// <param name="allowedNetworks">allowed-networks; empty for the default rule.</param>
    /// <param name="allowHostNames">allow-hostnames.</param>
    /// <param name="ownAddresses">The load balancer's addresses (<see cref="LocalAddresses"/>); none for <c>register</c>, which runs on the instance's host.</param>
    /// <param name="settingPrefix">How the settings are spelled in a reason: "" in a configuration file, "--" for <c>register</c>.</param>
    public AddressPolicy(ImmutableArray<IPNetwork> allowedNetworks, bool allowHostNames, IReadOnlySet<IPAddress> ownAddresses, string settingPrefix = "")
        : this(allowedNetworks, allowHostNames, () => ownAddresses, settingPrefix)
    {
    }

    private AddressPolicy(ImmutableArray<IPNetwork> allowedNetworks, bool allowHostNames, Func<IReadOnlySet<IPAddress>> ownAddresses, string settingPrefix)
    {
        AllowedNetworks = allowedNetworks;
        AllowHostNames = allowHostNames;
        _ownAddresses = ownAddresses;
        _settingPrefix = settingPrefix;
    }

    public ImmutableArray<IPNetwork> AllowedNetworks { get; }

    public bool AllowHostNames { get; }

    /// <summary>
    /// A template's rule: its allowed-networks and allow-hostnames, and the load balancer's own addresses as its
    /// interfaces have them when an address is judged (read then, at most every few seconds: a keepalived address that
    /// moves here counts from then on; a render that judges no address reads none).
    /// </summary>
    public static AddressPolicy ForTemplate(ImmutableArray<IPNetwork> allowedNetworks, bool allowHostNames) =>
        new(allowedNetworks, allowHostNames, () => LocalAddresses.Current, string.Empty);

    /// <summary>
    /// Parses allowed-networks entries: an address (a network of one) or a CIDR network, in the forms HAProxy reads,
    /// with no bit set past the prefix length.
    /// </summary>
    /// <param name="problem">Which entry is wrong and why; null when all parse.</param>
    public static ImmutableArray<IPNetwork> ParseNetworks(IEnumerable<string> entries, out string? problem)
    {
        var networks = ImmutableArray.CreateBuilder<IPNetwork>();
        foreach (var entry in entries)
        {
            if (!HaproxyAddressSyntax.TryParseNetwork(entry, out var network))
            {
                problem = $"\"{PrintableText.Of(entry)}\" is not an IP address or a CIDR network like 10.0.0.0/8 or fd00::/8";
                return [];
            }

            if (entry.Contains('/', StringComparison.Ordinal) && !SameAddress(entry, network))
            {
                problem = $"\"{PrintableText.Of(entry)}\" has bits set past its prefix length; the network is {network}";
                return [];
            }

            networks.Add(network);
        }

        problem = null;
        return networks.ToImmutable();
    }

    /// <summary>An IPv4-mapped IPv6 address as its IPv4 address; any other as it is.</summary>
    public static IPAddress Normalised(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Why an instance may not point at <paramref name="address"/>, as a phrase; null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        address = Normalised(address);
        var ipv4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (ipv4 ? ThisNetwork.Contains(address) : address.Equals(IPAddress.IPv6Any))
        {
            return "is unspecified (0.0.0.0/8, ::): HAProxy would connect to wherever the client connected";
        }

        if (ipv4 ? Multicast4.Contains(address) : Multicast6.Contains(address))
        {
            return "is a multicast address";
        }

        if (address.Equals(IPAddress.Broadcast))
        {
            return "is the broadcast address";
        }

        if (_ownAddresses().Contains(address) && !ListedAlone(address))
        {
            return $"is one of the load balancer's own addresses (HAProxy would forward to itself); list it alone in {_settingPrefix}allowed-networks to allow it";
        }

        if (!AllowedNetworks.IsEmpty)
        {
            return AllowedNetworks.Any(n => n.Contains(address)) ? null : $"is outside {_settingPrefix}allowed-networks";
        }

        if (ipv4 ? Loopback4.Contains(address) : address.Equals(IPAddress.IPv6Loopback))
        {
            return $"is loopback (the load balancer itself); allow it with {_settingPrefix}allowed-networks";
        }

        if (ipv4 ? LinkLocal4.Contains(address) : LinkLocal6.Contains(address))
        {
            return $"is link-local (169.254.0.0/16, fe80::/10, where cloud metadata answers); allow it with {_settingPrefix}allowed-networks";
        }

        return null;
    }

    /// <summary>Why an instance may not name a host (resolved only when HAProxy loads the file), as a phrase; null when it may.</summary>
    public string? HostNameRefusal() =>
        AllowHostNames ? null : $"is a host name, refused without {_settingPrefix}allow-hostnames (HAProxy resolves it at load, and one it cannot resolve fails the whole file)";

    private bool ListedAlone(IPAddress address) =>
        AllowedNetworks.Any(n => n.BaseAddress.Equals(address) && n.PrefixLength == (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));

    private static bool SameAddress(string entry, IPNetwork network) =>
        HaproxyAddressSyntax.TryParseAddress(entry[..entry.LastIndexOf('/')], out var written) && written.Equals(network.BaseAddress);
}

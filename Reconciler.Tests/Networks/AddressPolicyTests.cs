using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Reconciler.Actors.Networks;

namespace Reconciler.Tests.Networks;

/// <summary>allowed-networks: where an instance may point, with the load balancer's own address 192.0.2.2 (its subnet 192.0.2.0/24).</summary>
public sealed class AddressPolicyTests
{
    private static readonly FrozenSet<IPAddress> Own = new[] { IPAddress.Parse("192.0.2.2"), IPAddress.Parse("192.0.2.255"), IPAddress.Parse("fd00::2") }.ToFrozenSet();

    private static AddressPolicy Policy(params string[] networks)
    {
        var parsed = AddressPolicy.ParseNetworks(networks, out var problem);
        Assert.Null(problem);
        return new AddressPolicy(parsed, allowHostNames: false, Own);
    }

    private static string? Refusal(AddressPolicy policy, string address)
    {
        Assert.True(HaproxyAddressSyntax.TryParseAddress(address, out var parsed), address);
        return policy.Refusal(parsed);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("192.0.2.3")]
    [InlineData("198.51.100.7")]
    [InlineData("fd00::5")]
    [InlineData("2001:db8::5")]
    [InlineData("::ffff:10.0.0.5")]
    public void By_default_an_ordinary_address_is_allowed(string address) =>
        Assert.Null(Refusal(Policy(), address));

    [Theory]
    [InlineData("127.0.0.1", "is loopback")]
    [InlineData("127.255.0.9", "is loopback")]
    [InlineData("::1", "is loopback")]
    [InlineData("::ffff:127.0.0.1", "is loopback")]
    [InlineData("0:0:0:0:0:ffff:7f00:1", "is loopback")]
    [InlineData("169.254.169.254", "is link-local")]
    [InlineData("::ffff:169.254.169.254", "is link-local")]
    [InlineData("fe80::1", "is link-local")]
    [InlineData("febf::1", "is link-local")]
    [InlineData("0.0.0.0", "is unspecified")]
    [InlineData("0.1.2.3", "is unspecified")]
    [InlineData("::", "is unspecified")]
    [InlineData("::ffff:0.0.0.0", "is unspecified")]
    [InlineData("224.0.0.1", "is a multicast address")]
    [InlineData("239.255.255.250", "is a multicast address")]
    [InlineData("ff02::1", "is a multicast address")]
    [InlineData("255.255.255.255", "is the broadcast address")]
    [InlineData("192.0.2.2", "is one of the load balancer's own addresses")]
    [InlineData("::ffff:192.0.2.2", "is one of the load balancer's own addresses")]
    [InlineData("192.0.2.255", "is one of the load balancer's own addresses")]
    [InlineData("fd00::2", "is one of the load balancer's own addresses")]
    public void By_default_the_load_balancer_itself_and_what_only_it_reaches_are_refused_in_every_form(string address, string expected) =>
        Assert.StartsWith(expected, Refusal(Policy(), address));

    [Theory]
    [InlineData("127.0.0.1", null)]
    [InlineData("::ffff:127.0.0.1", null)]
    [InlineData("10.0.0.5", "is outside allowed-networks")]
    [InlineData("::1", "is outside allowed-networks")]
    [InlineData("169.254.169.254", "is outside allowed-networks")]
    [InlineData("0.0.0.0", "is unspecified")]
    public void With_allowed_networks_only_their_addresses_are_allowed(string address, string? expected)
    {
        var refusal = Refusal(Policy("127.0.0.0/8"), address);

        if (expected is null)
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.StartsWith(expected, refusal);
        }
    }

    [Fact]
    public void An_own_address_is_allowed_only_when_listed_alone_not_through_a_wider_network()
    {
        Assert.StartsWith("is one of the load balancer's own addresses", Refusal(Policy("192.0.2.0/24"), "192.0.2.2"));
        Assert.Null(Refusal(Policy("192.0.2.0/24"), "192.0.2.3"));
        Assert.Null(Refusal(Policy("192.0.2.0/24", "192.0.2.2"), "192.0.2.2"));
        Assert.Null(Refusal(Policy("fd00::2/128"), "fd00::2"));
    }

    [Fact]
    public void Even_allowing_everything_the_unspecified_multicast_and_broadcast_addresses_stay_refused()
    {
        var everything = Policy("0.0.0.0/0", "::/0");

        Assert.Null(Refusal(everything, "127.0.0.1"));
        Assert.Null(Refusal(everything, "169.254.169.254"));
        Assert.NotNull(Refusal(everything, "0.0.0.0"));
        Assert.NotNull(Refusal(everything, "::"));
        Assert.NotNull(Refusal(everything, "224.0.0.1"));
        Assert.NotNull(Refusal(everything, "255.255.255.255"));
        Assert.NotNull(Refusal(AddressPolicy.Unrestricted, "0.0.0.0"));
    }

    [Fact]
    public void A_host_name_is_refused_unless_allowed_and_the_reason_names_the_setting()
    {
        Assert.Contains("allow-hostnames", Policy().HostNameRefusal());
        Assert.Null(new AddressPolicy([], allowHostNames: true, Own).HostNameRefusal());
        Assert.Contains("--allow-hostnames", new AddressPolicy([], allowHostNames: false, Own, "--").HostNameRefusal());
        Assert.Contains("--allowed-networks", new AddressPolicy([], allowHostNames: false, Own, "--").Refusal(IPAddress.Loopback));
    }

    [Theory]
    [InlineData("10.0.0.1/8", "has bits set past its prefix length; the network is 10.0.0.0/8")]
    [InlineData("10.0.0.0/33", "is not an IP address or a CIDR network")]
    [InlineData("10/8", "is not an IP address or a CIDR network")]
    [InlineData("[::1]", "is not an IP address or a CIDR network")]
    [InlineData("fe80::1%eth0", "is not an IP address or a CIDR network")]
    [InlineData("localhost", "is not an IP address or a CIDR network")]
    public void An_allowed_network_that_is_not_one_is_refused_naming_the_entry(string entry, string expected)
    {
        var networks = AddressPolicy.ParseNetworks(["10.0.0.0/8", entry], out var problem);

        Assert.Empty(networks);
        Assert.StartsWith($"\"{entry}\" {expected}", problem);
    }

    [Fact]
    public void An_address_alone_is_a_network_of_one()
    {
        var networks = AddressPolicy.ParseNetworks(["10.0.0.7", "fd00::7"], out var problem);

        Assert.Null(problem);
        Assert.Equal<IPNetwork>([IPNetwork.Parse("10.0.0.7/32"), IPNetwork.Parse("fd00::7/128")], networks);
    }

    [Fact]
    public void The_load_balancers_own_addresses_are_read_from_its_interfaces_without_loopback()
    {
        IReadOnlySet<IPAddress> own = LocalAddresses.Current;

        Assert.DoesNotContain(IPAddress.Loopback, own);
        Assert.DoesNotContain(IPAddress.IPv6Loopback, own);
        var interfaces = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(LocalAddresses.Unicast).Select(u => u.Address)
            .Where(a => !IPAddress.IsLoopback(a)).Select(a => new IPAddress(a.GetAddressBytes())).ToImmutableArray();
        Assert.NotEmpty(interfaces);
        Assert.All(interfaces, a => Assert.Contains(a, own));
    }
}

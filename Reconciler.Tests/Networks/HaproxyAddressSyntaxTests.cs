using System.Net;
using Reconciler.Actors.Networks;

namespace Reconciler.Tests.Networks;

/// <summary>Addresses and networks as glibc's inet_pton reads them for HAProxy, not as .NET's IPAddress.TryParse does.</summary>
public sealed class HaproxyAddressSyntaxTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("1::", "1::")]
    [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
    [InlineData("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8")]
    [InlineData("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8")]
    [InlineData("0001:db8::0a", "1:db8::a")]
    [InlineData("FE80::AB", "fe80::ab")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    [InlineData("::127.0.0.1", "::127.0.0.1")]
    [InlineData("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304")]
    [InlineData("2001:db8:1::5:1.2.3.4", "2001:db8:1::5:102:304")]
    public void Takes_what_inet_pton_takes_as_the_same_address(string text, string expected)
    {
        Assert.True(HaproxyAddressSyntax.TryParseAddress(text, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("fe80::1%1")]
    [InlineData("::1%lo")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("0x7f000001")]
    [InlineData("2130706433")]
    [InlineData("127.1")]
    [InlineData("10.1")]
    [InlineData("0177.0.0.1")]
    [InlineData("010.0.0.1")]
    [InlineData("00.0.0.0")]
    [InlineData("1.2.3.4.")]
    [InlineData(".1.2.3.4")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.256")]
    [InlineData("1.2.3.4.5")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("+1.2.3.4")]
    [InlineData(":")]
    [InlineData(":::")]
    [InlineData(":1::")]
    [InlineData("1:")]
    [InlineData("1::2::3")]
    [InlineData("12345::")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7:8::")]
    [InlineData("::1:2:3:4:5:6:7:8")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("::ffff:1.2.3")]
    [InlineData("::ffff:01.2.3.4")]
    [InlineData("::1.2.3.4:5")]
    [InlineData("g::1")]
    [InlineData("１.2.3.4")]
    public void Refuses_what_inet_pton_refuses(string text) =>
        Assert.False(HaproxyAddressSyntax.TryParseAddress(text, out _));

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("::1", "::1/128")]
    [InlineData("fd00::/8", "fd00::/8")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1/128", "2001:db8::1/128")]
    public void A_network_is_an_address_with_an_optional_prefix_length(string text, string expected)
    {
        Assert.True(HaproxyAddressSyntax.TryParseNetwork(text, out var network));
        Assert.Equal(IPNetwork.Parse(expected), network);
    }

    [Theory]
    [InlineData("[::1]")]
    [InlineData("[::1]/128")]
    [InlineData("fe80::1%1/64")]
    [InlineData("10.0.0.0/33")]
    [InlineData("::/129")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/-0")]
    [InlineData("10.0.0.0/255.0.0.0")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("10/8")]
    [InlineData("0x0a000000/8")]
    [InlineData("localhost")]
    [InlineData("/8")]
    public void Refuses_a_network_haproxy_would_refuse_or_read_only_through_its_resolver(string text) =>
        Assert.False(HaproxyAddressSyntax.TryParseNetwork(text, out _));

    [Theory]
    [InlineData("0x7f000001", true)]
    [InlineData("0X7F.1", true)]
    [InlineData("127.1", true)]
    [InlineData("0177.0.0.1", true)]
    [InlineData("2130706433", true)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("08.1", false)]
    [InlineData("0xg", false)]
    [InlineData("web-1", false)]
    [InlineData("1e100", false)]
    public void A_resolver_number_is_what_inet_aton_reads_as_an_address(string text, bool expected) =>
        Assert.Equal(expected, HaproxyAddressSyntax.IsResolverNumber(text));
}

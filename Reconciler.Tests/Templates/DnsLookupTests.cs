using System.Net;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Templates;

/// <summary>lookupSRV and lookupIP against a real DNS server (dnsmasq) named in reconciler.dns.servers.</summary>
public sealed class DnsLookupTests : IAsyncLifetime
{
    private DnsmasqServer? _server;

    private DnsLookup Dns => new(_server!.Servers);

    public async Task InitializeAsync() =>
        _server = await DnsmasqServer.StartAsync(
            "--srv-host=_http._tcp.pool.test,web-2.pool.test,8080,10,5",
            "--srv-host=_http._tcp.pool.test,web-1.pool.test,8081,20,7",
            "--host-record=web-1.pool.test,10.0.0.1",
            "--host-record=web-2.pool.test,10.0.0.2,fd00::2");

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void LookupSRV_gives_every_record_in_confd_order_with_go_field_names()
    {
        var output = Render("""{{ for s in lookupSRV "http" "tcp" "pool.test" }}{{ s.Target }} {{ s.Port }} {{ s.Priority }} {{ s.Weight }}|{{ end }}""", Dns);

        Assert.Equal("web-1.pool.test. 8081 20 7|web-2.pool.test. 8080 10 5|", output);
    }

    [Fact]
    public void LookupSRV_of_a_name_that_does_not_exist_is_empty()
    {
        Assert.Equal("0", Render("""{{ (lookupSRV "ldap" "tcp" "pool.test") | array.size }}""", Dns));
    }

    [Fact]
    public void LookupIP_asks_the_configured_server_for_both_address_families()
    {
        Assert.Equal("10.0.0.2,fd00::2", Render("""{{ join (lookupIP "web-2.pool.test") "," }}""", Dns));
        Assert.Equal("", Render("""{{ join (lookupIP "nowhere.pool.test") "," }}""", Dns));
        Assert.Equal("192.0.2.1", Render("""{{ join (lookupIP "192.0.2.1") "," }}""", Dns));
    }

    [Fact]
    public void A_server_that_does_not_answer_fails_the_render_instead_of_giving_an_empty_list()
    {
        var silent = new DnsLookup([new IPEndPoint(IPAddress.Loopback, FreePort.Next())]);

        var error = Assert.Throws<TemplateException>(() => Render("""{{ lookupSRV "http" "tcp" "pool.test" }}""", silent));

        Assert.StartsWith("dns.tmpl(1,4): ", error.Message);
        Assert.Contains("_http._tcp.pool.test", error.Message);
    }

    [Fact]
    public void A_confd_template_calling_lookupSRV_converts_and_renders_as_confd_would()
    {
        const string go = "{{range lookupSRV \"http\" \"tcp\" \"pool.test\"}}server {{.Target}}:{{.Port}}\n{{end}}";
        var scriban = Reconciler.Actors.Confd.GoTemplateConverter.Convert(go).ScribanOrThrow("app.tmpl");

        Assert.Equal("server web-1.pool.test.:8081\nserver web-2.pool.test.:8080\n", Render(scriban, Dns));
    }

    private static string Render(string source, DnsLookup dns) =>
        CompiledTemplate.Parse(source, "dns.tmpl", dns: dns).Render(DesiredState.Empty);
}

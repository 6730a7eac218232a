using Reconciler.Actors.Networks;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Networks;

/// <summary>
/// The address and network parser against HAProxy 2.6 itself, row by row: whatever <c>instances</c> takes as an
/// address, <c>haproxy -c</c> takes on a server line; whatever <c>mapEntries "network"</c> takes, <c>haproxy -c</c> takes
/// in an ACL file (<c>src -f</c>) and the admin socket takes through <c>add acl</c>. Each row also pins what HAProxy
/// does with it, so a row where the parser is stricter says so: HAProxy takes <c>0x7f000001</c> through its resolver
/// (as 127.0.0.1, past any rule on addresses), <c>10.0.0.0/+8</c> through <c>strtol</c>. And a map word
/// <c>mapEntries</c> takes is one key and one value both in a map file and through <c>add map</c>.
/// </summary>
public sealed class HaproxyAddressAgreementTests(HaproxyAddressAgreementTests.RunningHaproxy haproxy) : IClassFixture<HaproxyAddressAgreementTests.RunningHaproxy>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("10.0.0.1:80", true, true)]
    [InlineData("0.0.0.0:80", true, true)] // an address, refused by allowed-networks' never-rule instead
    [InlineData("10.0.0.1:1", true, true)]
    [InlineData("10.0.0.1:65535", true, true)]
    [InlineData("[::1]:80", true, true)]
    [InlineData("[::]:80", true, true)]
    [InlineData("[::ffff:127.0.0.1]:80", true, true)]
    [InlineData("[2001:db8::1.2.3.4]:80", true, true)]
    [InlineData("[1.2.3.4]:80", true, false)]
    [InlineData("0x7f000001:80", true, false)]
    [InlineData("0x7f.0.0.1:80", true, false)]
    [InlineData("127.1:80", true, false)]
    [InlineData("2130706433:80", true, false)]
    [InlineData("010.0.0.1:80", true, false)]
    [InlineData("10.0.0.1:080", true, false)]
    [InlineData("10.0.0.1:+80", true, false)]
    [InlineData("10.0.0.1:0", true, false)]
    [InlineData("10.0.0.1:65536", false, false)]
    [InlineData("10.0.0.1:", true, false)] // no port: the client's
    [InlineData("10.0.0.256:80", false, false)]
    [InlineData("1.2.3.4.5:80", false, false)]
    [InlineData("[fe80::1%lo]:80", false, false)]
    [InlineData("[fe80::1%251]:80", false, false)]
    [InlineData("fe80::1%1:80", false, false)]
    [InlineData("[::1%lo]:80", false, false)]
    [InlineData("[::1:80", false, false)]
    [InlineData("does-not-exist.invalid:80", false, false)]
    public async Task An_instance_address_is_taken_only_where_haproxy_takes_it(string endpoint, bool haproxyTakes, bool weTake)
    {
        var ours = InstanceValue.TryParseEndpoint(endpoint, out var host, out _, out _) && HaproxyAddressSyntax.TryParseAddress(host, out _);
        var check = await haproxy.CheckAsync($"""
            backend b
                server s {endpoint}
            """);

        Assert.True(haproxyTakes == (check.ExitCode == 0), $"haproxy -c: exit {check.ExitCode}\n{check.Stderr}");
        Assert.Equal(weTake, ours);
        Assert.True(!ours || haproxyTakes);
    }

    [Theory]
    [InlineData("10.0.0.1", true, true, true)]
    [InlineData("0.0.0.0", true, true, true)]
    [InlineData("10.0.0.0/8", true, true, true)]
    [InlineData("10.1.2.3/8", true, true, true)]
    [InlineData("0.0.0.0/0", true, true, true)]
    [InlineData("::1", true, true, true)]
    [InlineData("::", true, true, true)]
    [InlineData("fd00::/8", true, true, true)]
    [InlineData("::/0", true, true, true)]
    [InlineData("::ffff:127.0.0.1", true, true, true)]
    [InlineData("::ffff:10.0.0.0/104", true, true, true)]
    [InlineData("2001:db8::1/128", true, true, true)]
    [InlineData("10.0.0.0/+8", true, true, false)]
    [InlineData("10.0.0.0/08", true, true, false)]
    [InlineData("10.0.0.0/255.0.0.0", true, true, false)]
    [InlineData("0x7f.0.0.1", false, false, false)]
    [InlineData("0x7f000001", false, false, false)]
    [InlineData("127.1", true, false, false)]
    [InlineData("10.1", true, false, false)]
    [InlineData("010.0.0.1", true, false, false)]
    [InlineData("0177.0.0.1", true, false, false)]
    [InlineData("localhost", true, false, false)] // resolved when the file is loaded, never through add acl
    [InlineData("[::1]", false, false, false)]
    [InlineData("[::1]:80", false, false, false)]
    [InlineData("[::1]/128", false, false, false)]
    [InlineData("fe80::1%1", false, false, false)]
    [InlineData("::1%lo", false, false, false)]
    [InlineData("10.0.0.0/33", false, false, false)]
    [InlineData("::/129", false, false, false)]
    [InlineData("10.0.0.0/", false, false, false)]
    [InlineData("1.2.3.4.5", false, false, false)]
    [InlineData("10.0.0.256", false, false, false)]
    [InlineData("does-not-exist.invalid", false, false, false)]
    public async Task A_network_is_taken_only_where_an_acl_file_and_add_acl_take_it(string network, bool fileTakes, bool addAclTakes, bool weTake)
    {
        var ours = HaproxyAddressSyntax.TryParseNetwork(network, out _);
        var acl = Path.Combine(haproxy.Folder, $"row-{Guid.NewGuid():N}.acl");
        await File.WriteAllTextAsync(acl, network + "\n");
        var check = await haproxy.CheckAsync($$"""
            frontend acl
                bind 127.0.0.1:{{FreePort.Next()}}
                http-request deny if { src -f {{acl}} }
            """);
        var answer = await haproxy.Client.SendAsync($"add acl {haproxy.Acl} {network}", CancellationToken.None);

        Assert.True(fileTakes == (check.ExitCode == 0), $"haproxy -c: exit {check.ExitCode}\n{check.Stderr}");
        Assert.True(addAclTakes == (answer.Trim().Length == 0), $"add acl answered: {answer}");
        Assert.Equal(weTake, ours);
        Assert.True(!ours || (fileTakes && addAclTakes));
    }

    [Theory]
    [InlineData("shop.example.com", true)]
    [InlineData("backend-a", true)]
    [InlineData("a;b", true)]
    [InlineData("%[src]", true)]
    [InlineData("a{b}$c~d", true)]
    [InlineData("a<<", true)]
    [InlineData("a#b", false)]
    [InlineData("#a", false)]
    [InlineData("a\\b", false)]
    [InlineData("a'b", false)]
    [InlineData("a\"b", false)]
    [InlineData("a b", false)]
    [InlineData("caf\u00e9", false)]
    public async Task A_map_word_mapEntries_takes_is_one_key_and_one_value_in_a_map_file_and_through_add_map(string word, bool weTake)
    {
        var state = DesiredState.From([KeyValuePair.Create($"/routes/{word}", word)], 1);
        var output = new Reconciler.Actors.Output.ContentBuffer();
        CompiledTemplate.Parse("""{{ for r in mapEntries "/routes/*" }}{{ r.name }} {{ r.value }}{{ "\n" }}{{ end }}""", "map.sbn")
            .Render(state, null, output, RenderLimits.None with { Values = new ValueRules(true, 1024) }, CancellationToken.None);
        var line = output.ToString();

        Assert.Equal(weTake, line.Length > 0);
        if (!weTake)
        {
            return;
        }

        var map = Path.Combine(haproxy.Folder, $"row-{Guid.NewGuid():N}.map");
        await File.WriteAllTextAsync(map, line);
        var check = await haproxy.CheckAsync($$"""
            frontend map
                bind 127.0.0.1:{{FreePort.Next()}}
                http-request set-header x-route %[req.hdr(host),map({{map}},none)]
            """);
        var added = await haproxy.Client.SendPayloadAsync($"add map {haproxy.Map}", [line.TrimEnd('\n')], CancellationToken.None);
        var entries = await haproxy.Client.SendAsync($"show map {haproxy.Map}", CancellationToken.None);

        Assert.True(check.ExitCode == 0, $"haproxy -c: exit {check.ExitCode}\n{check.Stderr}");
        Assert.True(added.Trim().Length == 0, $"add map answered: {added}");
        Assert.Contains(entries.Split('\n'), entry => entry.EndsWith($" {word} {word}", StringComparison.Ordinal));
    }

    /// <summary>One HAProxy 2.6 for the class, its admin socket at level admin, with an ACL file loaded; and <c>haproxy -c</c>.</summary>
    public sealed class RunningHaproxy : IAsyncLifetime
    {
        private readonly int _port = FreePort.Next();
        private HaproxyMasterWorker? _haproxy;

        public string Folder { get; } = Directory.CreateTempSubdirectory("reconciler-agreement-").FullName;

        public string Acl => Path.Combine(Folder, "deny.acl");

        public string Map => Path.Combine(Folder, "routes.map");

        internal HaproxyRuntimeClient Client => new(Path.Combine(Folder, "admin.sock"), TimeSpan.FromSeconds(5));

        public async Task InitializeAsync()
        {
            await File.WriteAllTextAsync(Acl, "192.0.2.1\n");
            await File.WriteAllTextAsync(Map, "first.example backend-a\n");
            var config = Path.Combine(Folder, "haproxy.cfg");
            await File.WriteAllTextAsync(config, Config($$"""
                frontend f
                    bind 127.0.0.1:{{_port}}
                    http-request deny if { src -f {{Acl}} }
                    http-request return status 200 content-type text/plain lf-string "%[req.hdr(host),map({{Map}},none)]"
                """));
            _haproxy = await HaproxyMasterWorker.StartAsync(config, Path.Combine(Folder, "haproxy.pid"), Path.Combine(Folder, "master.sock"), _port);
        }

        /// <summary><c>haproxy -c</c> of a file with <paramref name="section"/> (and a listener, without which -c exits 2).</summary>
        public async Task<ProcessResult> CheckAsync(string section)
        {
            var file = Path.Combine(Folder, $"check-{Guid.NewGuid():N}.cfg");
            await File.WriteAllTextAsync(file, Config($$"""
                frontend listener
                    bind 127.0.0.1:{{FreePort.Next()}}
                {{section}}
                """));
            return await ExternalCommand.RunAsync("haproxy", ["-c", "-f", file], Deadline);
        }

        public async Task DisposeAsync()
        {
            if (_haproxy is not null)
            {
                await _haproxy.DisposeAsync();
            }

            Directory.Delete(Folder, recursive: true);
        }

        private string Config(string sections) => $"""
            global
                stats socket {Folder}/admin.sock mode 600 level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            {sections}

            """;
    }
}

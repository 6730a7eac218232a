using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Runtime;

public sealed class HaproxyConfigDiffTests
{
    private const string Head = """
        global
            stats socket /run/haproxy/admin.sock mode 600 level admin
        defaults
            mode http
        frontend http-in
            bind *:80
            default_backend app
        backend app
            balance leastconn
            cookie JSESSIONID prefix

        """;

    private static readonly RuntimeSettings AllBackends = RuntimeSettings.Off with { Type = RuntimeSettings.Haproxy };

    [Fact]
    public void Only_server_lines_changed_gives_the_server_changes()
    {
        var old = Head + "    server a 10.0.0.1:80 check\n    server b 10.0.0.2:80 check\n";
        var @new = Head + "    server a 10.0.0.1:80 check weight 5\n    server c 10.0.0.3:80 check\n";

        var diff = HaproxyConfigDiff.Between(old, @new, AllBackends);

        Assert.False(diff.NeedsReload);
        Assert.Equal(["-app/b", "~app/a", "+app/c"], diff.Changes.Select(Describe));
        Assert.Equal(["a", "c"], diff.Pools["app"].Select(s => s.Name));
    }

    [Fact]
    public void Comments_blank_lines_and_spacing_are_not_differences()
    {
        var old = Head + "    server a 10.0.0.1:80 check\n";
        var @new = Head.Replace("balance leastconn", "balance   leastconn # fewest sessions\n\n") + "# pool\n    server a 10.0.0.1:80   check\n";

        var diff = HaproxyConfigDiff.Between(old, @new, AllBackends);

        Assert.False(diff.NeedsReload);
        Assert.Empty(diff.Changes);
    }

    [Theory]
    [InlineData("balance leastconn", "balance roundrobin", "section 'backend app' changed outside its server lines")]
    [InlineData("mode http", "mode tcp", "section 'defaults' changed outside its server lines")]
    [InlineData("frontend http-in", "frontend web", "sections were added, removed or renamed")]
    public void Any_other_change_needs_a_reload_and_says_where(string from, string to, string reason)
    {
        var servers = "    server a 10.0.0.1:80 check\n";

        var diff = HaproxyConfigDiff.Between(Head + servers, Head.Replace(from, to) + servers + "    server b 10.0.0.2:80\n", AllBackends);

        Assert.Equal(reason, diff.ReloadReason);
    }

    [Fact]
    public void Server_lines_of_a_backend_runtime_backends_does_not_list_need_a_reload()
    {
        var runtime = AllBackends with { Backends = ["other"] };

        var diff = HaproxyConfigDiff.Between(Head + "    server a 10.0.0.1:80\n", Head + "    server a 10.0.0.2:80\n", runtime);

        Assert.Equal("server lines of section 'backend app', which runtime.backends does not list, changed", diff.ReloadReason);
    }

    [Fact]
    public void A_new_server_under_default_server_settings_needs_a_reload()
    {
        var head = Head.Replace("    mode http\n", "    mode http\n    default-server inter 1s\n");

        var diff = HaproxyConfigDiff.Between(head, head + "    server a 10.0.0.1:80\n", AllBackends);

        Assert.Equal("backend app gets default-server settings, which a server added at runtime would not get", diff.ReloadReason);
    }

    [Fact]
    public void A_server_line_without_a_port_needs_a_reload()
    {
        var diff = HaproxyConfigDiff.Between(Head, Head + "    server a backend.internal\n", AllBackends);

        Assert.Equal("backend app has a server line the runtime API cannot reproduce: server a backend.internal", diff.ReloadReason);
    }

    private static string Describe(HaproxyServerChange change) =>
        (change.Old, change.New) switch
        {
            (null, _) => "+",
            (_, null) => "-",
            _ => "~",
        } + change.Target;
}

using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Configuration;

public sealed class SettingsLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reconciler-config-").FullName;

    public SettingsLoaderTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "templates"));
        Directory.CreateDirectory(Path.Combine(_dir, "out"));
        File.WriteAllText(Path.Combine(_dir, "templates", "a.sbn"), "x");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_minimal_file_gets_every_default_from_reference_conf()
    {
        var settings = Load(Template("a", "out/a.cfg"));

        Assert.Equal(BackendType.Etcd, settings.Backend.Type);
        Assert.Equal<string>(["http://127.0.0.1:2379"], settings.Backend.Endpoints);
        Assert.Equal(TimeSpan.FromMilliseconds(200), settings.Debounce.Quiet);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Debounce.Max);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.MinReloadInterval); // measured against a reload storm: bench/results.md
        var template = Assert.Single(settings.Templates);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, template.Mode);
        Assert.Equal(settings.Debounce, template.Debounce);
        Assert.True(template.LogDiff);
        Assert.Empty(settings.DnsServers);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.MemoryTrimAfterIdle);
    }

    [Fact]
    public void Allowed_networks_and_allow_hostnames_default_to_the_refusing_rule_and_are_set_per_template()
    {
        var settings = Load("""
            reconciler.template-defaults.allowed-networks = ["10.0.0.0/8"]
            reconciler.templates = [
              { name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/apps"] }
              { name = b, src = templates/a.sbn, dest = out/b.cfg, keys = ["/apps"], allowed-networks = ["127.0.0.0/8", "fd00::7"], allow-hostnames = true }
            ]
            """);
        var defaults = Load(Template("a", "out/c.cfg")).Templates[0];

        Assert.Empty(defaults.AllowedNetworks);
        Assert.False(defaults.AllowHostNames);
        Assert.NotNull(defaults.RenderLimits.Values.Addresses.Refusal(System.Net.IPAddress.Loopback));
        Assert.Equal<System.Net.IPNetwork>([System.Net.IPNetwork.Parse("10.0.0.0/8")], settings.Templates[0].AllowedNetworks);
        Assert.Equal<System.Net.IPNetwork>([System.Net.IPNetwork.Parse("127.0.0.0/8"), System.Net.IPNetwork.Parse("fd00::7/128")], settings.Templates[1].AllowedNetworks);
        Assert.True(settings.Templates[1].AllowHostNames);
        Assert.Null(settings.Templates[1].RenderLimits.Values.Addresses.Refusal(System.Net.IPAddress.Loopback));
        Assert.False(settings.Templates[0].IsSameAs(settings.Templates[0] with { AllowedNetworks = [System.Net.IPNetwork.Parse("10.0.0.0/16")] }));
        Assert.True(settings.Templates[0].IsSameAs(settings.Templates[0] with { AllowedNetworks = [System.Net.IPNetwork.Parse("10.0.0.0/8")] }));
    }

    [Fact]
    public void Dns_servers_take_an_address_with_or_without_a_port()
    {
        var settings = Load("reconciler.dns.servers = [\"10.0.0.2\", \"127.0.0.1:8600\", \"[::1]:8600\"]\n" + Template("a", "out/a.cfg"));

        Assert.Equal(["10.0.0.2:53", "127.0.0.1:8600", "[::1]:8600"], settings.DnsServers.Select(s => s.ToString()));
    }

    [Fact]
    public void Relative_paths_resolve_against_the_config_files_folder()
    {
        var template = Assert.Single(Load(Template("a", "out/a.cfg")).Templates);

        Assert.Equal(Path.Combine(_dir, "templates", "a.sbn"), template.Src);
        Assert.Equal(Path.Combine(_dir, "out", "a.cfg"), template.Dest);
    }

    [Fact]
    public void Template_settings_override_the_defaults()
    {
        var settings = Load("""
            reconciler.debounce { quiet = 0, max = 0 }
            reconciler.templates = [{
              name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/apps/a", "/apps/b"]
              mode = "0600", check-cmd = "true {{src}}", reload-cmd = "true"
              debounce.quiet = 50ms
              debounce.max = 1s
              vars { socket = "/run/x.sock" }
            }]
            """);

        var template = Assert.Single(settings.Templates);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, template.Mode);
        Assert.Equal(TimeSpan.FromMilliseconds(50), template.Debounce.Quiet);
        Assert.Equal(TimeSpan.FromSeconds(1), template.Debounce.Max);
        Assert.Equal("/run/x.sock", template.Variables["socket"]);
        Assert.Equal(["/apps/a", "/apps/b"], template.Keys.Select(k => k.Value));
        Assert.Equal(TimeSpan.Zero, settings.Debounce.Quiet);
    }

    [Fact]
    public void Quarantine_is_on_with_20_checks_by_default_set_per_template_or_in_the_defaults_and_needs_a_check_when_on()
    {
        File.WriteAllText(Path.Combine(_dir, "templates", "b.sbn"), "y");
        Assert.Equal(new QuarantineSettings(true, 20), Assert.Single(Load(Template("a", "out/a.cfg")).Templates).Quarantine);

        var settings = Load("""
            reconciler.template-defaults.quarantine.max-checks = 8
            reconciler.templates = [
              { name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/apps/a"] }
              { name = b, src = templates/b.sbn, dest = out/b.cfg, keys = ["/apps/b"], quarantine.enabled = false }
            ]
            """);

        Assert.Equal([new QuarantineSettings(true, 8), new QuarantineSettings(false, 8)], settings.Templates.Select(t => t.Quarantine));
        var error = Assert.Throws<ConfigurationException>(() => Load(Template("a", "out/a.cfg") + "\nreconciler.template-defaults.quarantine.max-checks = 0"));
        Assert.Contains("quarantine.max-checks", error.Message, StringComparison.Ordinal);
        Assert.Contains("must be at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_limits_default_to_10s_and_64MiB_and_come_from_template_defaults_or_the_template()
    {
        File.WriteAllText(Path.Combine(_dir, "templates", "b.sbn"), "y");
        var settings = Load("""
            reconciler.template-defaults { render-timeout = 2s }
            reconciler.templates = [
              { name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/apps"] },
              { name = b, src = templates/b.sbn, dest = out/b.cfg, keys = ["/apps"], render-timeout = 500ms, max-output-bytes = 512KiB }
            ]
            """);

        Assert.Equal(TimeSpan.FromSeconds(2), settings.Templates[0].RenderTimeout);
        Assert.Equal(64L * 1024 * 1024, settings.Templates[0].MaxOutputBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Templates[1].RenderTimeout);
        Assert.Equal(512L * 1024, settings.Templates[1].MaxOutputBytes);
    }

    [Theory]
    [InlineData("reconciler.template-defaults.render-timeout = 0s", "reconciler.templates[0] (a).render-timeout: must be greater than zero")]
    [InlineData("reconciler.template-defaults.max-output-bytes = lots", "reconciler.templates[0] (a).max-output-bytes: \"lots\" is not a size greater than zero (use e.g. 64MiB, 512KiB)")]
    [InlineData("reconciler.backend.type = consul", "reconciler.backend.type: \"consul\" is not one of etcd, file")]
    [InlineData("reconciler.debounce.quiet = soon", "reconciler.debounce.quiet: \"soon\" is not a duration")]
    [InlineData("reconciler.commands.timeout = 0s", "reconciler.commands.timeout: must be greater than zero")]
    [InlineData("reconciler.backend.endpoints = [\"127.0.0.1:2379\"]", "reconciler.backend.endpoints: \"127.0.0.1:2379\" is not an http:// or https:// URL")]
    [InlineData("reconciler.dns.servers = [\"consul:8600\"]", "reconciler.dns.servers: \"consul:8600\" is not an IP address, or address:port like 127.0.0.1:8600")]
    [InlineData("reconciler { backend { type = etcd ", "malformed HOCON: line 1, column 22: '{' is never closed (the file ends at line 2, column 103 without its '}')")]
    [InlineData("reconciler {\n  debounce {\n    quiet = 1s\n  }\n  commands.timeout = \"5s\n  http.listen = \"127.0.0.1:0\"\n}", "malformed HOCON: line 5, column 22: this string is never closed: a quoted string ends with '\"' on its own line")]
    [InlineData("reconciler { backend.endpoints = [\"http://a:2379\"\n}", "malformed HOCON: line 2, column 1: unexpected '}': the '[' at line 1, column 34 is still open")]
    [InlineData("reconciler.debounce.quiet = 1s }", "malformed HOCON: line 1, column 32: unexpected '}': no '{' is open")]
    [InlineData("reconciler.debounce.quiet = ${?QUIET}", "malformed HOCON: line 1, column 29: optional substitutions like ${?NAME} are not supported")]
    public void A_bad_setting_is_one_line_naming_file_and_setting(string hocon, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(hocon + "\n" + Template("a", "out/a.cfg")));

        Assert.StartsWith(ConfigPath, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_comma_after_an_object_is_read_as_hocon_means_it_and_commas_in_strings_and_lists_stay()
    {
        var settings = Load("""
            reconciler { debounce { quiet = 1s, max = 3s }, commands { timeout = 5s }
              templates = [{ name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/a"], reload-cmd = "echo }, {x}, y" }, ] }
            """);

        Assert.Equal(TimeSpan.FromSeconds(1), settings.Debounce.Quiet);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.CommandTimeout);
        Assert.Equal("echo }, {x}, y", Assert.Single(settings.Templates).ReloadCommand);
    }

    [Fact]
    public void The_backend_deadlines_and_message_size_are_read_with_their_units()
    {
        var defaults = Load(Template("a", "out/a.cfg")).Backend;
        var set = Load("reconciler.backend { request-timeout = 2s, watch-timeout = 3s, max-message-size = 16MiB }\n" + Template("a", "out/a.cfg")).Backend;

        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), 64 * 1024 * 1024), (defaults.RequestTimeout, defaults.WatchTimeout, defaults.MaxMessageSize));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), 16 * 1024 * 1024), (set.RequestTimeout, set.WatchTimeout, set.MaxMessageSize));
    }

    [Fact]
    public void What_the_daemon_stores_is_bounded_by_default_and_the_bounds_are_read_with_their_units()
    {
        var defaults = Load(Template("a", "out/a.cfg")).Backend.Limits;
        var set = Load("reconciler.backend { max-key-bytes = 512, max-value-bytes = 64KiB, max-prefix-bytes = 1GiB }\n" + Template("a", "out/a.cfg")).Backend.Limits;

        Assert.Equal(new KeyLimits(4096, 1024 * 1024, 32L * 1024 * 1024), defaults);
        Assert.Equal(KeyLimits.Default, defaults);
        Assert.Equal(new KeyLimits(512, 64 * 1024, 1024L * 1024 * 1024), set);
    }

    [Theory]
    [InlineData("reconciler.backend.max-value-bytes = 0", "reconciler.backend.max-value-bytes: \"0\" is not a size greater than zero and below 2GiB")]
    [InlineData("reconciler.backend.max-key-bytes = 4GiB", "reconciler.backend.max-key-bytes: \"4GiB\" is not a size greater than zero and below 2GiB")]
    [InlineData("reconciler.backend.watch-timeout = 0s", "reconciler.backend.watch-timeout: must be greater than zero")]
    [InlineData("reconciler.backend.max-message-size = lots", "reconciler.backend.max-message-size: \"lots\" is not a size")]
    [InlineData("reconciler.backend.max-message-size = 8GiB", "reconciler.backend.max-message-size: \"8GiB\" is not a size between 1KiB and 2GiB")]
    public void A_bad_backend_limit_is_one_line_naming_the_setting(string hocon, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(hocon + "\n" + Template("a", "out/a.cfg")));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_missing_template_file_names_the_template_and_the_path()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(Template("missing", "out/a.cfg")));

        Assert.Contains("reconciler.templates[0] (missing).src: file", error.Message);
        Assert.Contains("missing.sbn does not exist", error.Message);
    }

    [Fact]
    public void Two_templates_with_one_dest_are_rejected()
    {
        File.WriteAllText(Path.Combine(_dir, "templates", "b.sbn"), "y");
        var hocon = $$"""
            reconciler.templates = [
              { name = a, src = templates/a.sbn, dest = out/same.cfg, keys = ["/a"] },
              { name = b, src = templates/b.sbn, dest = out/same.cfg, keys = ["/b"] }
            ]
            """;

        var error = Assert.Throws<ConfigurationException>(() => Load(hocon));

        Assert.Contains("templates a and b have the same dest", error.Message);
    }

    [Fact]
    public void A_dest_in_a_missing_folder_is_rejected()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(Template("a", "nowhere/a.cfg")));

        Assert.Contains(".dest: folder", error.Message);
    }

    [Fact]
    public void A_bad_file_mode_is_rejected()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            Load("""reconciler.templates = [{ name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/a"], mode = "rw-r--r--" }]"""));

        Assert.Contains("reconciler.templates[0] (a).mode: \"rw-r--r--\" is not an octal file mode", error.Message);
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var error = Assert.Throws<ConfigurationException>(() => SettingsLoader.Load(Path.Combine(_dir, "nope.conf")));

        Assert.Contains("nope.conf: file not found", error.Message);
    }

    [Fact]
    public void Watched_prefixes_cover_every_template_without_overlap()
    {
        File.WriteAllText(Path.Combine(_dir, "templates", "b.sbn"), "y");
        var settings = Load("""
            reconciler.templates = [
              { name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/apps"] },
              { name = b, src = templates/b.sbn, dest = out/b.cfg, keys = ["/apps/web", "/config"] }
            ]
            """);

        Assert.Equal(["/apps", "/config"], settings.WatchedPrefixes.Select(p => p.Value));
    }

    [Fact]
    public void Runtime_is_off_by_default_and_merges_over_template_defaults()
    {
        Assert.False(Assert.Single(Load(Template("a", "out/a.cfg")).Templates).Runtime.IsHaproxy);

        var template = Assert.Single(Load("""
            reconciler.template-defaults.runtime { type = haproxy, socket = "/run/haproxy/admin.sock" }
            reconciler.templates = [{ name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/a"], reload-cmd = "true", runtime { backends = ["app"], drain-timeout = 5s } }]
            """).Templates);

        Assert.Equal(("haproxy", "/run/haproxy/admin.sock", "app", TimeSpan.FromSeconds(5)), (template.Runtime.Type, template.Runtime.Socket, template.Runtime.Backends.Single(), template.Runtime.DrainTimeout));
    }

    [Theory]
    [InlineData("type = nginx", "runtime.type: \"nginx\" is not a runtime API")]
    [InlineData("type = haproxy", "runtime.socket: \"\" is neither a unix socket path nor host:port")]
    [InlineData("type = haproxy, socket = \"admin.sock\"", "runtime.socket: \"admin.sock\" is neither")]
    public void A_bad_runtime_setting_is_named(string runtime, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            Load($$"""reconciler.templates = [{ name = a, src = templates/a.sbn, dest = out/a.cfg, keys = ["/a"], runtime { {{runtime}} } }]"""));

        Assert.Contains("reconciler.templates[0] (a)." + problem, error.Message);
    }

    private string ConfigPath => Path.Combine(_dir, "reconciler.conf");

    private static string Template(string name, string dest) =>
        $$"""reconciler.templates = [{ name = {{name}}, src = "templates/{{name}}.sbn", dest = "{{dest}}", keys = ["/apps/{{name}}"] }]""";

    private ReconcilerSettings Load(string hocon)
    {
        File.WriteAllText(ConfigPath, hocon);
        return SettingsLoader.Load(ConfigPath);
    }
}

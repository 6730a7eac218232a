using System.Runtime.Versioning;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Confd;

/// <summary>A confd folder (conf.d/*.toml, templates/, confd.toml) loaded through the settings loader.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ConfdImportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reconciler-confd-").FullName;

    public ConfdImportTests()
    {
        Directory.CreateDirectory(Path.Combine(ConfdDir, "conf.d"));
        Directory.CreateDirectory(Path.Combine(ConfdDir, "templates"));
        Directory.CreateDirectory(Out);
        Write("confd/templates/haproxy.cfg.tmpl", GoTemplateConverterTests.ScenarioGoTemplate);
        Write("confd/templates/myapp.conf.tmpl", """db = {{ getv "/database/url" }}""");

        // The scenario's resource as confd users have it, with dest moved to a folder of the test's own.
        Write("confd/conf.d/haproxy.toml", $$$"""
            [template]
            src = "haproxy.cfg.tmpl"
            dest = "{{{Out}}}/haproxy.cfg"
            keys = [ "/app/your_awesome_app" ]
            check_cmd = "/usr/sbin/haproxy -c -f {{.src}}"
            reload_cmd = "/usr/bin/systemctl reload haproxy"
            """);
        Write("confd/conf.d/myapp.toml", $"""
            # a second resource using the rest of confd's settings
            [template]
            prefix = "/myapp"
            src = "myapp.conf.tmpl"
            dest = "{Out}/myapp.conf"
            uid = 1000
            gid = 100
            mode = "0600"
            keys = [
              "/database",
              "cache/",
            ]
            """);
        Write("confd/confd.toml", """
            backend = "etcdv3"
            nodes = [
              "127.0.0.1:2379",
              "http://127.0.0.2:22379",
            ]
            interval = 20
            watch = true
            log-level = "info"
            """);
    }

    private string ConfdDir => Path.Combine(_root, "confd");

    private string Out => Path.Combine(_root, "out");

    private string ConfigFile => Path.Combine(_root, "reconciler.conf");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_realistic_conf_d_becomes_one_template_per_resource_with_confds_meaning()
    {
        var settings = Parse("reconciler.confd-dir = confd");

        Assert.Equal(["haproxy", "myapp"], settings.Templates.Select(t => t.Name));
        var haproxy = settings.Templates[0];
        Assert.Equal(Path.Combine(ConfdDir, "templates", "haproxy.cfg.tmpl"), haproxy.Src);
        Assert.Equal(Path.Combine(Out, "haproxy.cfg"), haproxy.Dest);
        Assert.Equal(["/app/your_awesome_app"], haproxy.Keys.Select(k => k.Value));
        Assert.Equal("/usr/sbin/haproxy -c -f {{.src}}", haproxy.CheckCommand);
        Assert.Equal("/usr/bin/systemctl reload haproxy", haproxy.ReloadCommand);
        Assert.Equal(FileModeSpec.Parse("0644"), haproxy.Mode);
        Assert.Equal((string.Empty, string.Empty), (haproxy.Owner, haproxy.Group));
        Assert.Equal(TemplateSyntax.GoTemplate, haproxy.Syntax);
        Assert.Equal(string.Empty, haproxy.KeyPrefix);
        Assert.Equal(settings.Debounce, haproxy.Debounce);

        var myapp = settings.Templates[1];
        Assert.Equal(["/myapp/database", "/myapp/cache"], myapp.Keys.Select(k => k.Value));
        Assert.Equal("/myapp", myapp.KeyPrefix);
        Assert.Equal(FileModeSpec.Parse("0600"), myapp.Mode);
        Assert.Equal(("1000", "100"), (myapp.Owner, myapp.Group));
        Assert.Equal(string.Empty, myapp.CheckCommand);
    }

    [Fact]
    public void Confd_toml_sets_the_etcd_backend_and_ignores_polling()
    {
        var backend = Parse("reconciler.confd-dir = confd").Backend;

        Assert.Equal(BackendType.Etcd, backend.Type);
        Assert.Equal<string>(["http://127.0.0.1:2379", "http://127.0.0.2:22379"], backend.Endpoints);
        Assert.Equal(string.Empty, backend.Username);
    }

    [Fact]
    public void The_users_file_wins_over_confd_toml()
    {
        Write("keys.yaml", "{}");

        var backend = Parse("reconciler.backend { type = file, file.path = keys.yaml }", confdDir: ConfdDir).Backend;

        Assert.Equal(BackendType.File, backend.Type);
    }

    [Fact]
    public void The_flag_overrides_the_setting_and_a_confd_folder_alone_is_enough()
    {
        var fromFlag = Parse("reconciler.confd-dir = does-not-exist", confdDir: ConfdDir);
        var alone = SettingsLoader.ForConfdDirectory(ConfdDir);

        Assert.Equal(["haproxy", "myapp"], fromFlag.Templates.Select(t => t.Name));
        Assert.Equal(fromFlag.Templates.Select(t => (t.Src, t.Dest)), alone.Templates.Select(t => (t.Src, t.Dest)));
        Assert.Equal<string>(fromFlag.Backend.Endpoints, alone.Backend.Endpoints);
    }

    [Fact]
    public void The_global_prefix_replaces_each_resources_own_as_in_confd()
    {
        Write("confd/confd.toml", "prefix = \"production\"\n");

        var templates = Parse("reconciler.confd-dir = confd").Templates;

        Assert.All(templates, t => Assert.Equal("/production", t.KeyPrefix));
        Assert.Equal(["/production/database", "/production/cache"], templates[1].Keys.Select(k => k.Value));
    }

    [Fact]
    public void Credentials_need_basic_auth_and_client_certificates_make_the_nodes_https()
    {
        Write("confd/ca.pem", "ca");
        Write("confd/client.pem", "cert");
        Write("confd/client.key", "key");
        Write("confd/confd.toml", """
            backend = "etcd"
            nodes = ["etcd1:2379", "etcd2:2379"]
            basic_auth = true
            username = "confd"
            password = "p\"w{d}"
            client_cakeys = "ca.pem"
            client_cert = "client.pem"
            client_key = "client.key"
            """);

        var backend = Parse("reconciler.confd-dir = confd").Backend;

        Assert.Equal<string>(["https://etcd1:2379", "https://etcd2:2379"], backend.Endpoints);
        Assert.Equal(("confd", "p\"w{d}"), (backend.Username, backend.Password));
        Assert.Equal(Path.Combine(ConfdDir, "ca.pem"), backend.Tls.CaFile);
        Assert.Equal(Path.Combine(ConfdDir, "client.pem"), backend.Tls.CertFile);
        Assert.Equal(Path.Combine(ConfdDir, "client.key"), backend.Tls.KeyFile);
    }

    [Fact]
    public void Without_basic_auth_confd_sends_no_credentials_and_neither_does_reconciler()
    {
        Write("confd/confd.toml", "username = \"confd\"\npassword = \"secret\"\n");

        var backend = Parse("reconciler.confd-dir = confd").Backend;

        Assert.Equal((string.Empty, string.Empty), (backend.Username, backend.Password));
    }

    [Fact]
    public void An_unset_mode_keeps_the_mode_dest_already_has()
    {
        Write("out/haproxy.cfg", "live");
        File.SetUnixFileMode(Path.Combine(Out, "haproxy.cfg"), FileModeSpec.Parse("0640"));

        var haproxy = Parse("reconciler.confd-dir = confd").Templates[0];

        Assert.Equal(FileModeSpec.Parse("0640"), haproxy.Mode);
    }

    [Fact]
    public void Confd_resources_join_the_templates_of_the_users_file_and_share_their_rules()
    {
        var hocon = $$"""
            reconciler.confd-dir = confd
            reconciler.templates = [{ name = own, src = "confd/templates/myapp.conf.tmpl", dest = "{{Out}}/haproxy.cfg", keys = ["/own"] }]
            """;

        var error = Assert.Throws<ConfigurationException>(() => Parse(hocon));

        Assert.Contains("templates own and haproxy have the same dest", error.Message);
    }

    [Theory]
    [InlineData("conf.d/bad.toml", "[template]\nsrc = \"haproxy.cfg.tmpl\ndest = \"x\"\n", "malformed TOML: line 2, column 24: Invalid newline in a string")]
    [InlineData("conf.d/bad.toml", "[template]\nsrc = \"a.tmpl\"\nsrc = \"b.tmpl\"\n", "malformed TOML: line 3, column 1: The key `template.src` is already defined")]
    [InlineData("conf.d/bad.toml", "[template]\nsrc = \"haproxy.cfg.tmpl\"\nDEST = \"{out}/x\"\nkeys = [\"/a\"]\nmode = \"rw-r--r--\"\n", "template.mode (line 5): \"rw-r--r--\" is not an octal file mode like \"0644\"")]
    [InlineData("conf.d/bad.toml", "[template]\nsrc = \"haproxy.cfg.tmpl\"\ndest = \"{out}/x\"\nkeys = \"/a\"\n", "template.keys (line 4): must be a list of strings")]
    [InlineData("conf.d/bad.toml", "[template]\nsrc = \"haproxy.cfg.tmpl\"\ndest = \"{out}/x\"\nkeys = [\"/a\"]\nuid = \"root\"\n", "template.uid (line 5): must be a whole number")]
    [InlineData("conf.d/bad.toml", "[template]\nsrc = \"nope.tmpl\"\n", "template.src (line 2): template {confd}/templates/nope.tmpl does not exist")]
    [InlineData("conf.d/bad.toml", "[template]\ndest = \"{out}/x\"\n", "template.src: is required")]
    [InlineData("conf.d/bad.toml", "[template]\nsrc = \"haproxy.cfg.tmpl\"\ndest = \"{out}/missing/x\"\n", "template.dest (line 3): folder {out}/missing does not exist")]
    [InlineData("conf.d/bad.toml", "# nothing\n", "template: missing: a confd template resource is a [template] table")]
    [InlineData("confd.toml", "backend = \"consul\"\n", "backend (line 1): \"consul\" is not supported")]
    [InlineData("confd.toml", "backend = \"etcdv3\"\nnoop = true\n", "noop (line 2): is not supported by Reconciler: a confd.toml cannot make Reconciler a dry run; run reconciler --noop for one; remove it")]
    [InlineData("confd.toml", "srv_record = \"_etcd-client._tcp.example.com\"\n", "srv_record (line 1): is not supported by Reconciler: Reconciler does not look etcd up in DNS SRV records; list its endpoints in nodes; remove it")]
    [InlineData("confd.toml", "client_insecure = true\n", "client_insecure (line 1): is not supported by Reconciler: Reconciler always verifies etcd's certificate")]
    [InlineData("confd.toml", "nodes = [\"etcd one:2379\"]\n", "nodes (line 1): \"http://etcd one:2379\" is not a host:port")]
    [InlineData("confd.toml", "client_cert = \"missing.pem\"\n", "client_cert (line 1): file {confd}/missing.pem does not exist")]
    public void A_bad_toml_file_is_one_line_naming_the_file_the_setting_and_the_line(string file, string toml, string expected)
    {
        var path = Write("confd/" + file, toml.Replace("{out}", Out, StringComparison.Ordinal));

        var error = Assert.Throws<ConfigurationException>(() => Parse("reconciler.confd-dir = confd"));

        Assert.StartsWith($"{path}: {expected.Replace("{out}", Out).Replace("{confd}", ConfdDir)}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("conf.d/app.toml", "[template]\nsrc = \"haproxy.cfg.tmpl\"\ndest = \"{out}/x\"\nkeys = [\"/a\"]\nowner = \"nginx\"\n", "template.owner (line 5): confd ignores this setting, and so does Reconciler (confd's settings here: src, dest, keys, prefix, uid, gid, mode, check_cmd, reload_cmd)")]
    [InlineData("conf.d/app.toml", "[template]\nsrc = \"haproxy.cfg.tmpl\"\ndest = \"{out}/x\"\nkeys = [\"/a\"]\nreload-cmd = \"x\"\n", "template.reload-cmd (line 5): confd ignores this setting, and so does Reconciler; did you mean template.reload_cmd?")]
    [InlineData("conf.d/app.toml", "owner = \"nginx\"\n[template]\nsrc = \"haproxy.cfg.tmpl\"\ndest = \"{out}/x\"\n", "owner (line 1): confd ignores this setting, and so does Reconciler (confd's settings here: template)")]
    [InlineData("confd.toml", "node = [\"127.0.0.1:2379\"]\n", "node (line 1): confd ignores this setting, and so does Reconciler; did you mean nodes?")]
    public void A_setting_confd_ignores_is_a_one_line_warning_naming_it_and_the_file_still_loads(string file, string toml, string expected)
    {
        var path = Write("confd/" + file, toml.Replace("{out}", Out, StringComparison.Ordinal));

        var settings = Parse("reconciler.confd-dir = confd");

        Assert.Equal($"{path}: {expected}", Assert.Single(settings.Warnings));
        Assert.True(file == "confd.toml" || settings.Templates.Any(t => t.Name == "app"));
    }

    [Fact]
    public void A_missing_confd_folder_names_the_setting_or_the_flag()
    {
        var fromSetting = Assert.Throws<ConfigurationException>(() => Parse("reconciler.confd-dir = nowhere"));
        var fromFlag = Assert.Throws<ConfigurationException>(() => Parse(string.Empty, confdDir: "/nowhere/confd"));
        var notConfd = Assert.Throws<ConfigurationException>(() => Parse(string.Empty, confdDir: Out));

        Assert.Equal($"{ConfigFile}: reconciler.confd-dir: folder {_root}/nowhere does not exist", fromSetting.Message);
        Assert.Equal("--confd-dir /nowhere/confd: folder /nowhere/confd does not exist", fromFlag.Message);
        Assert.StartsWith($"{Out}: not a confd folder", notConfd.Message);
    }

    private ReconcilerSettings Parse(string hocon, string? confdDir = null) => SettingsLoader.Parse(hocon, ConfigFile, confdDir);

    private string Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        File.WriteAllText(path, content);
        return path;
    }
}

using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>The executable as operators run it: exit codes, one-line errors, --onetime.</summary>
[Trait("Executable", "reconciler")]
public sealed class CommandLineTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Version_and_help_answer_and_exit_zero()
    {
        var version = await ReconcilerProcess.RunAsync("--version");
        var help = await ReconcilerProcess.RunAsync("--help");

        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--config", help.Stdout);
        Assert.Contains("--onetime", help.Stdout);
    }

    [Theory]
    [InlineData("reconciler.backend.type = zookeeper", "reconciler.backend.type: \"zookeeper\" is not one of etcd, file")]
    [InlineData("reconciler.debounce.quiet = fast", "reconciler.debounce.quiet: \"fast\" is not a duration")]
    [InlineData("reconciler { templates = [ {", "malformed HOCON")]
    public async Task A_bad_config_is_one_line_on_stderr_and_exit_2(string hocon, string expected)
    {
        var config = Write("bad.conf", hocon);

        var result = await ReconcilerProcess.RunAsync("--config", config);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"reconciler: {config}: ", line);
        Assert.Contains(expected, line);
    }

    [Theory]
    [InlineData("reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = [\"/a\"], check_cmd = \"false\" }]", "reconciler.templates[0] (t).check_cmd: unknown setting; did you mean reconciler.templates[0] (t).check-cmd?")]
    [InlineData("reconciler.supervision { min-backoff = 1m, max-backoff = 1s }\nreconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = [\"/a\"] }]", "reconciler.supervision.min-backoff: must be at most max-backoff")]
    [InlineData("reconciler.templates = []", "reconciler.templates: no templates")]
    [InlineData("reconciler.backend.username = bob\nreconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = [\"/a\"] }]", "reconciler.backend: etcd auth: username and password go together")]
    public async Task Check_rejects_a_configuration_that_cannot_run_with_one_line_and_exit_2(string hocon, string expected)
    {
        Write("t.sbn", "x");
        var config = Write("bad.conf", hocon);

        var result = await ReconcilerProcess.RunAsync("check", "--config", config);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"reconciler: {config}: {expected}", line);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "--log-level", "loud" }, "Argument 'loud' not recognized. Must be one of: 'trace', 'debug', 'info', 'warning', 'error'")]
    [InlineData(new[] { "render", "--config", "any.conf" }, "Required argument missing for command: 'render'")]
    [InlineData(new[] { "check" }, "--config FILE (or --confd-dir DIR) is required")]
    public async Task A_command_line_mistake_is_one_line_pointing_at_help_and_exit_2(string[] args, string expected)
    {
        var result = await ReconcilerProcess.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"reconciler: {expected}; see 'reconciler --help'", line);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_template_parse_error_names_file_line_and_column_and_exits_2()
    {
        var template = Write("broken.sbn", "line one\n{{ for x in getvs \"/a/*\" }}\n{{ x ");
        var config = FileBackendConfig("/a", template, check: "");

        var result = await ReconcilerProcess.RunAsync("--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"broken\.sbn\(\d+,\d+\)", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Onetime_renders_from_etcd_and_exits_zero()
    {
        var prefix = $"/cli/{Guid.NewGuid():N}";
        await etcd.PutAsync($"{prefix}/a", "alpha");
        await etcd.PutAsync($"{prefix}/b", "beta");
        var template = Write("list.sbn", $$$"""{{ for v in getvs "{{{prefix}}}/*" }}{{ v }};{{ end }}""");
        var config = Write("etcd.conf", $$"""
            reconciler.backend.endpoints = ["{{etcd.ClientUrl}}"]
            reconciler.templates = [{ name = list, src = "{{template}}", dest = out.txt, keys = ["{{prefix}}"], reload-cmd = "echo reloaded > '{{_folder}}/reloaded'" }]
            """);

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("alpha;beta;", File.ReadAllText(Path.Combine(_folder, "out.txt")));
        Assert.True(File.Exists(Path.Combine(_folder, "reloaded")));
        Assert.Contains("Reconciled list", result.Stderr);
    }

    [Fact]
    public async Task Onetime_over_tls_trusts_the_configured_ca_and_shows_the_client_certificate()
    {
        using var pki = new TestCertificates();
        using var secure = await EtcdFixture.StartNewAsync(pki);
        await secure.PutAsync("/tls/a", "alpha");
        foreach (var (file, name) in new[] { (pki.CaFile, "ca.pem"), (pki.ClientCertFile, "client.pem"), (pki.ClientKeyFile, "client-key.pem"), (pki.OtherCaFile, "other-ca.pem") })
        {
            File.Copy(file, Path.Combine(_folder, name));
        }

        var template = Write("tls.sbn", """{{ getv "/tls/a" }}""");
        string Config(string caFile) => Write("tls.conf", $$"""
            reconciler.backend { endpoints = ["{{secure.ClientUrl}}"], tls { ca-file = {{caFile}}, cert-file = client.pem, key-file = client-key.pem } }
            reconciler.templates = [{ name = t, src = "{{template}}", dest = out.txt, keys = ["/tls"] }]
            """);

        var trusted = await ReconcilerProcess.RunAsync("--config", Config("ca.pem"), "--onetime");
        Assert.Equal(0, trusted.ExitCode);
        Assert.Equal("alpha", File.ReadAllText(Path.Combine(_folder, "out.txt")));

        File.Delete(Path.Combine(_folder, "out.txt"));
        var untrusted = await ReconcilerProcess.RunAsync("--config", Config("other-ca.pem"), "--onetime");
        Assert.Equal(1, untrusted.ExitCode);
        Assert.False(File.Exists(Path.Combine(_folder, "out.txt")));
        Assert.Contains(secure.ClientUrl, untrusted.Stderr);
        Assert.DoesNotContain("   at ", untrusted.Stderr); // a log line, not a stack trace
    }

    [Fact]
    public async Task Onetime_exits_non_zero_when_a_check_fails_and_writes_nothing()
    {
        Write("keys.yaml", "/a/1: one\n");
        var template = Write("t.sbn", """{{ getv "/a/1" }}""");
        var config = FileBackendConfig("/a", template, check: "false");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(_folder, "out.txt")));
        Assert.Contains("check=failed", result.Stderr);
    }

    [Fact]
    public async Task Onetime_on_the_file_backend_needs_no_etcd()
    {
        Write("keys.yaml", "/a/1: one\n/a/2: two\n/b/1: other\n");
        var template = Write("t.sbn", """{{ for v in getvs "/a/*" }}{{ v }} {{ end }}""");
        var config = FileBackendConfig("/a", template, check: "test -s {{src}}");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("one two ", File.ReadAllText(Path.Combine(_folder, "out.txt")));
    }

    /// <summary>
    /// What a template reads from .NET objects (SRV records' fields, JSON objects and arrays, key/value entries): the
    /// package's native executable must keep every member a template can name.
    /// </summary>
    [Fact]
    public async Task Onetime_renders_dns_records_json_and_entries_field_by_field()
    {
        using var dns = await DnsmasqServer.StartAsync(
            "--srv-host=_http._tcp.pool.test,web-1.pool.test,8081,20,7",
            "--host-record=web-1.pool.test,10.0.0.1");
        Write("keys.yaml", "/a/1: '{\"port\": 9000, \"tags\": [\"x\", \"y\"]}'\n");
        var template = Write("t.sbn", """
            {{~ for s in lookupSRV "http" "tcp" "pool.test" }}srv {{ s.Target }} {{ s.Port }} {{ s.Priority }} {{ s.Weight }}
            {{ end ~}}
            {{~ for ip in lookupIP "web-1.pool.test" }}ip {{ ip }}
            {{ end ~}}
            {{~ for e in gets "/a/*" }}{{ e.Key }} port {{ (json e.Value).port }} tags {{ (json e.Value).tags | array.join "," }}
            {{ end ~}}
            """);
        var config = Write("dns.conf", $$"""
            reconciler.backend { type = file, file.path = keys.yaml }
            reconciler.dns.servers = ["{{dns.Endpoint}}"]
            reconciler.templates = [{ name = t, src = "{{template}}", dest = out.txt, keys = ["/a"] }]
            """);

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("srv web-1.pool.test. 8081 20 7\nip 10.0.0.1\n/a/1 port 9000 tags x,y\n", File.ReadAllText(Path.Combine(_folder, "out.txt")));
    }

    private string FileBackendConfig(string prefix, string template, string check)
    {
        if (!File.Exists(Path.Combine(_folder, "keys.yaml")))
        {
            Write("keys.yaml", "");
        }

        return Write("file.conf", $$"""
            reconciler.backend { type = file, file.path = keys.yaml }
            reconciler.templates = [{ name = t, src = "{{template}}", dest = out.txt, keys = ["{{prefix}}"], check-cmd = "{{check}}" }]
            """);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}

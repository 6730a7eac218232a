using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary><c>check</c>, <c>render</c> and <c>--noop</c> on the file backend: they answer and touch nothing.</summary>
[Trait("Executable", "reconciler")]
public sealed class CommandLineToolsTests : IDisposable
{
    private const string Template = """
        backend app
        {{~ for s in getvs "/a/*" }}
            server {{ s }}
        {{~ end }}

        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-tools-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Help_lists_every_option_and_command()
    {
        var help = await ReconcilerProcess.RunAsync("--help");

        Assert.Equal(0, help.ExitCode);
        foreach (var expected in new[] { "--config", "--onetime", "--noop", "--log-level", "--log-format", "--version", "check", "render" })
        {
            Assert.Contains(expected, help.Stdout);
        }
    }

    [Theory]
    [InlineData("register")]
    [InlineData("convert-template")]
    public async Task The_help_of_a_command_that_reads_no_configuration_does_not_list_config(string command)
    {
        var help = await ReconcilerProcess.RunAsync(command, "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.DoesNotContain("--config", help.Stdout);
        Assert.DoesNotContain("--confd-dir", help.Stdout);
        Assert.Contains("--log-level", help.Stdout);
    }

    [Fact]
    public async Task The_commands_that_read_a_configuration_list_config_and_state_dir()
    {
        foreach (var command in new[] { "check", "render", "diff", "history" })
        {
            var help = await ReconcilerProcess.RunAsync(command, "--help");
            Assert.Contains("--config", help.Stdout);
            Assert.Contains("--state-dir", help.Stdout);
        }
    }

    [Fact]
    public async Task Config_given_a_folder_says_it_is_a_folder()
    {
        var result = await ReconcilerProcess.RunAsync("check", "--config", _folder);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"reconciler: {_folder}: is a folder, not a configuration file (give the HOCON file in it, e.g. {_folder}/reconciler.conf)", result.Stderr.Trim());
    }

    [Fact]
    public async Task Onetime_with_noop_is_the_noop_dry_run_as_confd_s_onetime_noop_and_help_says_so()
    {
        var config = WriteConfig(Template, reload: "touch reloaded");

        var both = await ReconcilerProcess.RunAsync("--config", config, "--onetime", "--noop");
        var help = await ReconcilerProcess.RunAsync("--help");

        Assert.Equal(0, both.ExitCode);
        Assert.Contains("+    server web-1 127.0.0.1:9001", both.Stdout);
        Assert.False(File.Exists(Path.Combine(_folder, "out.txt")));
        Assert.False(File.Exists(Path.Combine(_folder, "reloaded")));
        Assert.Contains("--onetime --noop is the same dry run", help.Stdout.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task State_dir_gives_a_confd_folder_alone_a_journal()
    {
        var confd = Path.Combine(_folder, "confd");
        Directory.CreateDirectory(Path.Combine(confd, "conf.d"));
        Directory.CreateDirectory(Path.Combine(confd, "templates"));
        File.WriteAllText(Path.Combine(confd, "templates", "t.tmpl"), "static\n");
        File.WriteAllText(Path.Combine(confd, "conf.d", "t.toml"), $"[template]\nsrc = \"t.tmpl\"\ndest = \"{_folder}/out.txt\"\n");
        File.WriteAllText(Path.Combine(confd, "confd.toml"), "backend = \"etcdv3\"\nnodes = [\"127.0.0.1:1\"]\n");
        var state = Path.Combine(_folder, "state");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "journal.jsonl"), """
            {"sequence":1,"time":"2026-01-01T00:00:00+00:00","template":"t","revision":5,"added":[],"changed":[],"removed":[],"file":"written","applied":"reload","why":"the file changed","outcome":"ok","totalMs":3}

            """);

        var without = await ReconcilerProcess.RunAsync("history", "--confd-dir", confd);
        var with = await ReconcilerProcess.RunAsync("history", "--confd-dir", confd, "--state-dir", state);

        Assert.Equal(2, without.ExitCode);
        Assert.Contains("reconciler.state-dir is empty", without.Stderr);
        Assert.True(with.ExitCode == 0, with.Stderr);
        Assert.Matches(@"\n1\s+2026-01-01 00:00:00\S*\s+t\s+5\s", with.Stdout);
    }

    [Fact]
    public async Task The_packaged_demo_conf_passes_check_laid_out_as_the_package_ships_it()
    {
        var examples = Path.Combine(_folder, "examples");
        Directory.CreateDirectory(examples);
        var packaged = await ExternalCommand.RunAsync(Path.Combine(DebianPackage.RepositoryRoot, "scripts", "packaged-demo-conf.sh"), [], TimeSpan.FromSeconds(30));
        Assert.True(packaged.ExitCode == 0, packaged.Stderr);
        File.WriteAllText(Path.Combine(examples, "demo.conf"), packaged.Stdout);
        File.Copy(Path.Combine(DebianPackage.RepositoryRoot, "config", "demo", "keys.yaml"), Path.Combine(examples, "keys.yaml"));
        File.Copy(Path.Combine(DebianPackage.RepositoryRoot, "config", "templates", "haproxy.cfg.sbn"), Path.Combine(examples, "haproxy.cfg.sbn"));

        var check = await ReconcilerProcess.RunAsync("check", "--config", Path.Combine(examples, "demo.conf"));

        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Equal($"reconciler: {examples}/demo.conf: ok, 1 template(s): haproxy", check.Stdout.Trim());
    }

    [Fact]
    public async Task Check_accepts_a_good_configuration()
    {
        var config = WriteConfig(Template);

        var result = await ReconcilerProcess.RunAsync("check", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"reconciler: {config}: ok, 1 template(s): t", result.Stdout.Trim());
        Assert.False(File.Exists(Path.Combine(_folder, "out.txt")));
    }

    [Fact]
    public async Task Check_rejects_a_broken_template_in_one_line_with_exit_2()
    {
        var config = WriteConfig("{{ for s in getvs \"/a/*\" }}\n{{ s ");

        var result = await ReconcilerProcess.RunAsync("check", "--config", config);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"t\.sbn\(\d+,\d+\)", line);
    }

    [Fact]
    public async Task Check_resolves_every_name_a_template_reads_and_refuses_an_unknown_one_in_one_line_with_exit_2()
    {
        var config = WriteConfig("{{ for s in getvs \"/a/*\" }}\n{{ s | string.upcasee }}\n{{ end }}");

        var result = await ReconcilerProcess.RunAsync("check", "--config", config);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("t.sbn(2,15): unknown function string.upcasee; did you mean string.upcase?", line);
    }

    [Fact]
    public async Task Check_rejects_a_bad_setting_in_one_line_with_exit_2()
    {
        var config = WriteConfig(Template, extra: "reconciler.http.listen = \"everywhere\"");

        var result = await ReconcilerProcess.RunAsync("check", "--config", config);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("reconciler.http.listen: \"everywhere\" is not an address:port", line);
    }

    [Fact]
    public async Task Render_prints_what_would_be_written_and_writes_nothing()
    {
        var config = WriteConfig(Template);

        var result = await ReconcilerProcess.RunAsync("render", "--config", config, "t");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("    server web-2 127.0.0.1:9002", result.Stdout);
        Assert.False(File.Exists(Path.Combine(_folder, "out.txt")));
        Assert.Equal(0, (await ReconcilerProcess.RunAsync("--config", config, "--onetime")).ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(_folder, "out.txt")), result.Stdout);
    }

    [Fact]
    public async Task Render_leaves_out_a_key_over_the_backends_limits_as_the_daemon_does_and_names_it_escaped()
    {
        var config = WriteConfig(Template, extra: "reconciler.backend.max-value-bytes = 20");
        File.AppendAllText(Path.Combine(_folder, "keys.yaml"), "\"/a/\\e[2J\\u202e\": web-3 127.0.0.1:9003 with a value over 20 bytes\n");

        var result = await ReconcilerProcess.RunAsync("render", "--config", config, "t");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("    server web-2 127.0.0.1:9002", result.Stdout);
        Assert.DoesNotContain("web-3", result.Stdout);
        Assert.Contains("Key /a/\\x1b[2J\\u202e is not stored: its value is 47 bytes, more than max-value-bytes (20)", result.Stderr);
    }

    [Fact]
    public async Task Render_of_an_unknown_template_names_the_known_ones_and_exits_2()
    {
        var config = WriteConfig(Template);

        var result = await ReconcilerProcess.RunAsync("render", "--config", config, "nope");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no template named nope (templates: t)", result.Stderr);
    }

    [Fact]
    public async Task Noop_prints_a_unified_diff_runs_the_check_and_writes_and_reloads_nothing()
    {
        var live = "backend app\n    server web-1 127.0.0.1:9001\n    server old 127.0.0.1:9000\n";
        File.WriteAllText(Path.Combine(_folder, "out.txt"), live);
        var checkedCopy = Path.Combine(_folder, "checked");
        var config = WriteConfig(Template, check: $"cp {{{{src}}}} '{checkedCopy}'", reload: $"touch '{_folder}/reloaded'");
        var before = Directory.GetFiles(_folder).Order().ToList();

        var result = await ReconcilerProcess.RunAsync("--config", config, "--noop");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"--- {Path.Combine(_folder, "out.txt")}", result.Stdout);
        Assert.Contains("-    server old 127.0.0.1:9000", result.Stdout);
        Assert.Contains("+    server web-2 127.0.0.1:9002", result.Stdout);
        Assert.Contains("     server web-1 127.0.0.1:9001", result.Stdout);
        Assert.Equal(live, File.ReadAllText(Path.Combine(_folder, "out.txt")));
        Assert.Contains("server web-2", File.ReadAllText(checkedCopy)); // the check saw the new file...
        Assert.Equal([.. before.Append(checkedCopy).Order()], Directory.GetFiles(_folder).Order().ToList()); // ...and nothing else was written
    }

    [Theory]
    [InlineData("backend app\n    server web-1 127.0.0.1:9001\n    server old 127.0.0.1:9000\n", "would apply by runtime (5 commands)")]
    [InlineData("backend web\n    server web-1 127.0.0.1:9001\n", "would apply by reload (sections were added, removed or renamed)")]
    public async Task Noop_says_whether_a_runtime_template_would_change_at_runtime_or_by_reload(string live, string verdict)
    {
        File.WriteAllText(Path.Combine(_folder, "out.txt"), live);
        var config = WriteConfig(Template, reload: "true", extra: """reconciler.template-defaults.runtime { type = haproxy, socket = "/nonexistent/admin.sock" }""");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--noop");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Noop t: {verdict}", result.Stderr);
        Assert.Equal(live, File.ReadAllText(Path.Combine(_folder, "out.txt")));
    }

    [Fact]
    public async Task Noop_exits_1_when_the_check_rejects_the_change()
    {
        var config = WriteConfig(Template, check: "false");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--noop");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("+    server web-1 127.0.0.1:9001", result.Stdout);
        Assert.Contains("check-cmd rejects", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_folder, "out.txt")));
    }

    [Fact]
    public async Task History_lists_each_apply_with_how_and_why_and_shows_one_with_its_keys_and_diff()
    {
        var state = Path.Combine(_folder, "state");
        var config = WriteConfig(Template, reload: "true", extra: $"reconciler.state-dir = \"{state}\"");
        Assert.Equal(0, (await ReconcilerProcess.RunAsync("--config", config, "--onetime")).ExitCode);
        File.AppendAllText(Path.Combine(_folder, "keys.yaml"), "/a/3: web-3 127.0.0.1:9003\n");
        Assert.Equal(0, (await ReconcilerProcess.RunAsync("--config", config, "--onetime")).ExitCode);

        var table = await ReconcilerProcess.RunAsync("history", "--config", config);
        var shown = await ReconcilerProcess.RunAsync("history", "--config", config, "--show", "2");
        var json = await ReconcilerProcess.RunAsync("history", "--config", config, "t", "--json", "--limit", "1");

        Assert.Equal(0, table.ExitCode);
        // each --onetime run starts from nothing: all three keys are new to it
        var rows = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.Matches(@"^#\s+when \(UTC\)\s+template\s+revision\s+changes\s+file\s+applied\s+outcome\s+ms\s+why$", rows[0]);
        Assert.Matches(@"^2\s+\S+ \S+\s+t\s+\d+\s+\+3 ~0 -0\s+written\s+reload\s+ok\s+\d+\s+the file changed$", rows[2]);
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("  + /a/3", shown.Stdout);
        Assert.Contains("applied: reload, because the file changed", shown.Stdout);
        Assert.Contains(", on onetime", shown.Stdout);
        Assert.Contains("+    server web-3 127.0.0.1:9003", shown.Stdout);
        Assert.StartsWith("{\"sequence\":2,", json.Stdout);
        Assert.Single(json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_failed_reload_is_summed_up_by_its_cause_and_history_shows_its_whole_output()
    {
        var state = Path.Combine(_folder, "state");
        var longLine = new string('y', 300);
        var config = WriteConfig(Template, reload: $"kill -USR2 $(cat /nonexistent/haproxy.pid); echo {longLine} >&2; exit 2", extra: $"reconciler.state-dir = \"{state}\"");

        var run = await ReconcilerProcess.RunAsync("--config", config, "--onetime");
        var shown = await ReconcilerProcess.RunAsync("history", "--config", config, "--show", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("reload=failed: exit 2: cat: /nonexistent/haproxy.pid: No such file or directory", run.Stderr);
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("applied: reload failed: exit 2: cat: /nonexistent/haproxy.pid: No such file or directory", shown.Stdout);
        Assert.Contains("reload-cmd output:\n", shown.Stdout);
        Assert.Contains("kill", shown.Stdout);
        Assert.Contains(longLine + "\n", shown.Stdout); // whole, not cut
    }

    [Fact]
    public async Task History_shows_registry_text_escaped_so_a_key_name_cannot_drive_the_terminal_or_forge_a_line()
    {
        var state = Path.Combine(_folder, "state");
        Directory.CreateDirectory(state);
        var config = WriteConfig(Template, extra: $"reconciler.state-dir = \"{state}\"");

        // as an older daemon wrote it, names raw: OSC 52 (a clipboard write), a screen clear, CR LF and a forged line, bidi, a line too long to read
        File.WriteAllText(Path.Combine(state, "journal.jsonl"), """
            {"sequence":1,"time":"2026-01-01T00:00:00+00:00","template":"t","revision":5,"added":["/a/\u001b]52;c;ZXZpbA==\u0007x","/a/y\r\nfile: written"],"changed":[],"removed":[],"file":"written","applied":"reload","why":"the \u202egnp.exe file changed","outcome":"ok","totalMs":3,"addedCount":2,"diff":"+server\tweb \u001b[2J\n"}

            """ + new string('x', 17 * 1024 * 1024) + "\n");

        var table = await ReconcilerProcess.RunAsync("history", "--config", config);
        var shown = await ReconcilerProcess.RunAsync("history", "--config", config, "--show", "1");

        Assert.Equal((0, 0), (table.ExitCode, shown.ExitCode));
        foreach (var printed in new[] { table.Stdout, shown.Stdout })
        {
            Assert.DoesNotContain(printed, c => (c < ' ' && c is not '\n' and not '\t') || c is '\u202e');
        }

        Assert.Contains("the \\u202egnp.exe file changed", table.Stdout);
        Assert.Contains("  + /a/\\x1b]52;c;ZXZpbA==\\x07x", shown.Stdout);
        Assert.Contains("  + /a/y\\r\\nfile: written", shown.Stdout);
        Assert.Single(shown.Stdout.Split('\n'), line => line.StartsWith("file: ", StringComparison.Ordinal));
        Assert.Contains("+server\tweb \\x1b[2J", shown.Stdout);
        Assert.Contains("1 line(s) skipped", table.Stderr);
    }

    [Fact]
    public async Task After_kill_9_history_reads_the_journal_and_a_restart_says_where_each_template_was_left()
    {
        var state = Path.Combine(_folder, "state");
        var config = WriteConfig(Template, reload: "true", extra: $"reconciler.state-dir = \"{state}\"\nreconciler.debounce {{ quiet = 0ms, max = 1s }}");
        using (var daemon = RunningReconciler.Start("--config", config))
        {
            await daemon.WaitForLineAsync(l => l.Contains("Reconciled t ", StringComparison.Ordinal), "the first apply");
            File.AppendAllText(Path.Combine(_folder, "keys.yaml"), "/a/3: web-3 127.0.0.1:9003\n");
            await daemon.WaitForLineAsync(l => l.Contains("Reconciled t ", StringComparison.Ordinal) && l.Contains("changes=+1", StringComparison.Ordinal), "the second apply");
            daemon.Signal(9);
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        var history = await ReconcilerProcess.RunAsync("history", "--config", config, "--json");
        Assert.Equal(0, history.ExitCode);
        Assert.Equal(2, history.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"added\":[\"/a/3\"]", history.Stdout, StringComparison.Ordinal);

        using var restarted = RunningReconciler.Start("--config", config);
        var left = await restarted.WaitForLineAsync(l => l.Contains("Last applied t at revision", StringComparison.Ordinal), "where t was left");
        Assert.Contains(": reload", left, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_without_a_state_dir_says_so_and_exits_2()
    {
        var config = WriteConfig(Template);

        var result = await ReconcilerProcess.RunAsync("history", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("reconciler.state-dir is empty, so there is no journal", result.Stderr);
    }

    private string WriteConfig(string template, string check = "", string reload = "", string extra = "")
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1 127.0.0.1:9001\n/a/2: web-2 127.0.0.1:9002\n");
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), template);
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend { type = file, file.path = keys.yaml }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/a"], check-cmd = "{{check}}", reload-cmd = "{{reload}}" }]
            {{extra}}
            """);
        return config;
    }
}

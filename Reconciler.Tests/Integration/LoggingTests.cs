using System.Text.Json;
using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>What the executable writes to stderr: JSON lines, syslog priority prefixes under journald, masked secrets.</summary>
[Trait("Executable", "reconciler")]
public sealed partial class LoggingTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-logs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Json_format_is_one_object_per_line_with_the_reconcile_fields()
    {
        var config = WriteConfig(check: "true", reload: "true");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime", "--log-format", "json");

        Assert.Equal(0, result.ExitCode);
        var entries = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var reconciled = Assert.Single(entries, e => e.GetProperty("EventId").GetInt32() == 1);
        var fields = reconciled.GetProperty("State");
        Assert.Equal("t", fields.GetProperty("Template").GetString());
        Assert.Equal(Path.Combine(_folder, "out.txt"), fields.GetProperty("Dest").GetString());
        Assert.Equal(1, fields.GetProperty("Revision").GetInt64());
        Assert.Equal("+2 ~0 -0", fields.GetProperty("Changes").GetString());
        Assert.Equal("web-1web-2".Length, fields.GetProperty("Bytes").GetInt32());
        Assert.Equal("ok", fields.GetProperty("Check").GetString());
        Assert.Equal("ok", fields.GetProperty("Reload").GetString());
        foreach (var number in new[] { "RenderMs", "CheckMs", "ReloadMs", "TotalMs" })
        {
            Assert.Equal(JsonValueKind.Number, fields.GetProperty(number).ValueKind);
        }
    }

    [Fact]
    public async Task Under_journald_every_line_carries_its_syslog_priority()
    {
        var config = WriteConfig(check: "false", reload: "true");
        using var run = RunningReconciler.Start(
            new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" },
            "--config", config, "--onetime", "--log-level", "debug");

        var result = await run.WaitForExitAsync(Timeout);

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Matches(Priority(), line));
        Assert.Contains(lines, l => l.StartsWith("<6>", StringComparison.Ordinal) && l.Contains("Configuration "));
        Assert.Contains(lines, l => l.StartsWith("<3>", StringComparison.Ordinal) && l.Contains("Reconciled t") && l.Contains("check=failed"));
        Assert.Contains(lines, l => l.StartsWith("<7>", StringComparison.Ordinal) && l.Contains("t diff| +web-1"));
    }

    [Fact]
    public async Task Warnings_carry_priority_4()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), "x");
        var config = Path.Combine(_folder, "reconciler.conf");
        // an etcd nobody listens on: the watcher warns and retries
        File.WriteAllText(config, $$"""
            reconciler.backend.endpoints = ["http://127.0.0.1:{{FreePort.Next()}}"]
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/a"] }]
            """);
        using var daemon = RunningReconciler.Start(new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" }, "--config", config);

        await Poll.UntilAsync(() => daemon.StderrLines.Any(l => l.StartsWith("<4>", StringComparison.Ordinal) && l.Contains("unavailable")), Timeout, () => string.Join('\n', daemon.StderrLines));
    }

    [Fact]
    public async Task The_effective_configuration_is_logged_with_secrets_masked()
    {
        File.WriteAllText(Path.Combine(_folder, "etcd-password"), "from-the-password-file\n");
        var config = WriteConfig(
            check: "true",
            reload: "true",
            vars: """stats_password = "hunter2", stats_bind = "127.0.0.1:8888" """,
            backend: ", username = alice, password-file = etcd-password");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("stats_bind=127.0.0.1:8888", result.Stderr);
        Assert.Contains("stats_password=***", result.Stderr);
        Assert.DoesNotContain("from-the-password-file", result.Stderr);
        Assert.DoesNotContain("hunter2", result.Stderr);
    }

    [Fact]
    public async Task The_startup_line_of_the_file_backend_is_short_and_names_no_etcd_setting()
    {
        var config = WriteConfig(check: "true", reload: "true");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        var line = Assert.Single(result.Stderr.Split('\n'), l => l.Contains($"Configuration {config}:", StringComparison.Ordinal));
        Assert.Contains("backend type=file file=", line);
        foreach (var etcdOnly in new[] { "endpoints", "username", "password", "tls" })
        {
            Assert.DoesNotContain(etcdOnly, line);
        }

        Assert.InRange(line.Length, 1, 250 + config.Length + _folder.Length);
    }

    [Fact]
    public async Task A_template_with_log_diff_off_keeps_its_content_out_of_the_debug_log()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), """userlist admins\n    user admin insecure-password {{ admin_password }}\n{{ getv "/a/1" }}\n""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, """
            reconciler.backend { type = file, file.path = keys.yaml }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/a"], log-diff = false, vars { admin_password = "hunter2" } }]
            """);

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime", "--log-level", "debug");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("insecure-password hunter2", File.ReadAllText(Path.Combine(_folder, "out.txt")));
        Assert.Contains("Reconciled t", result.Stderr);
        Assert.DoesNotContain("t diff|", result.Stderr);
        Assert.DoesNotContain("hunter2", result.Stderr);
    }

    [Fact]
    public async Task With_log_diff_off_a_failed_checks_output_quoting_the_file_is_withheld()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), """user admin insecure-password {{ admin_password }}\n""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, """
            reconciler.backend { type = file, file.path = keys.yaml }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/a"], log-diff = false, check-cmd = "cat {{src}}; exit 1", vars { admin_password = "hunter2" } }]
            """);

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("check=failed: exit 1 (output withheld: log-diff = false)", result.Stderr);
        Assert.DoesNotContain("hunter2", result.Stderr);
    }

    [Fact]
    public async Task Commands_get_path_lang_and_the_configured_variables_only()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), "x\n");
        var seen = Path.Combine(_folder, "environment");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend { type = file, file.path = keys.yaml }
            reconciler.commands.environment = ["RECONCILER_TEST_PASSED", "RECONCILER_TEST_SET=fixed"]
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/a"], reload-cmd = "env > '{{seen}}'" }]
            """);

        var result = await ReconcilerProcess.RunAsync(
            new Dictionary<string, string> { ["RECONCILER_TEST_PASSED"] = "passed", ["RECONCILER_TEST_SECRET"] = "daemon-only", ["NOTIFY_SOCKET"] = "/nonexistent" },
            "--config", config, "--onetime");

        Assert.Equal(0, result.ExitCode);
        var names = File.ReadAllLines(seen).Select(l => l.Split('=')[0]).Where(n => n is not ("PWD" or "SHLVL" or "_")).Order().ToList();
        Assert.Equal(["LANG", "PATH", "RECONCILER_TEST_PASSED", "RECONCILER_TEST_SET"], names);
        Assert.Contains("RECONCILER_TEST_SET=fixed", File.ReadAllLines(seen));
    }

    [GeneratedRegex(@"^<[0-7]>")]
    private static partial Regex Priority();

    private string WriteConfig(string check, string reload, string vars = "", string backend = "")
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n/a/2: web-2\n");
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), """{{ for v in getvs "/a/*" }}{{ v }}{{ end }}""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend { type = file, file.path = keys.yaml{{backend}} }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/a"], check-cmd = "{{check}}", reload-cmd = "{{reload}}", vars { {{vars}} } }]
            """);
        return config;
    }
}

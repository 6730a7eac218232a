using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>Several daemons publishing what they applied (reconciler.fleet) and <c>reconciler fleet</c> judging them, against a real etcd.</summary>
[Trait("Executable", "reconciler")]
public sealed partial class FleetTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-fleet-").FullName;
    private readonly string _root = $"/fleet-test/{Guid.NewGuid():N}";

    private string Apps => $"{_root}/apps";

    private string FleetPrefix => $"{_root}/fleet";

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Three_daemons_in_sync_then_the_one_whose_check_refuses_a_value_keeps_its_file_and_fails_the_check()
    {
        await etcd.PutAsync($"{Apps}/web-1", "good-1");
        await using var lb1 = StartDaemon(etcd, "lb-1");
        await using var lb2 = StartDaemon(etcd, "lb-2");
        await using var lb3 = StartDaemon(etcd, "lb-3", extra: ", check-cmd = \"! grep -q refused {{src}}\", quarantine.enabled = false");
        var viewer = WriteConfig(etcd, "viewer", "viewer");

        var inSync = await FleetUntilAsync(viewer, rows => rows.Count == 3 && rows.All(r => r.GetProperty("inSync").GetBoolean()), lb3);
        Assert.Equal(["lb-1", "lb-2", "lb-3"], inSync.Select(r => r.GetProperty("node").GetString()));
        Assert.Single(inSync.Select(r => r.GetProperty("sha256").GetString()).Distinct());
        Assert.Equal(0, (await FleetAsync(viewer)).ExitCode);
        var goodRevision = inSync[2].GetProperty("revision").GetInt64();

        var refused = await etcd.PutAsync($"{Apps}/web-2", "refused");

        var rows = await FleetUntilAsync(viewer, rows => rows.Any(r => r.GetProperty("outcome").GetString() == "check failed"), lb3);
        var bad = rows.Single(r => r.GetProperty("node").GetString() == "lb-3");
        Assert.False(bad.GetProperty("inSync").GetBoolean());
        Assert.Equal(goodRevision, bad.GetProperty("revision").GetInt64()); // the file still in place, not the refused render
        Assert.Equal(Sha256Of(Dest("lb-3")), bad.GetProperty("sha256").GetString());
        Assert.DoesNotContain("refused", File.ReadAllText(Dest("lb-3")));
        rows = await FleetUntilAsync(viewer, rows => rows.Count(r => r.GetProperty("inSync").GetBoolean()) == 2, lb3);
        Assert.All(rows.Where(r => r.GetProperty("node").GetString() != "lb-3"), r => Assert.True(r.GetProperty("revision").GetInt64() >= refused));

        var table = await FleetAsync(viewer);
        Assert.Equal(1, table.ExitCode);
        Assert.Matches(@"(?m)^lb-3 +t +\d+ +[0-9a-f]{12} +check failed +none +\d+s +check failed; behind: its keys changed at " + refused + "$", table.Stdout);
        Assert.Matches(@"(?m)^lb-1 +t .* in sync$", table.Stdout);
    }

    [Fact]
    public async Task A_daemon_killed_with_kill_9_drops_out_within_its_ttl_and_one_stopped_at_once()
    {
        await etcd.PutAsync($"{Apps}/web-1", "good-1");
        await using var killed = StartDaemon(etcd, "lb-killed", ttl: "2s");
        await using var stopped = StartDaemon(etcd, "lb-stopped", ttl: "10s");
        var viewer = WriteConfig(etcd, "viewer", "viewer");
        await FleetUntilAsync(viewer, rows => rows.Count == 2, killed);

        killed.Signal(LibC.SIGKILL);
        await killed.WaitForExitAsync(Timeout);
        var killedAt = DateTime.UtcNow;
        Assert.NotNull(await etcd.LeaseOfAsync($"{FleetPrefix}/lb-killed/t")); // nobody revoked it
        await Poll.UntilAsync(async () => await etcd.LeaseOfAsync($"{FleetPrefix}/lb-killed/t") is null, Timeout, () => "the killed node's record expiring");
        Assert.InRange(DateTime.UtcNow - killedAt, TimeSpan.Zero, TimeSpan.FromSeconds(2 + 2)); // its ttl, and a poll's slack

        stopped.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await stopped.WaitForExitAsync(Timeout)).ExitCode);
        Assert.Null(await etcd.LeaseOfAsync($"{FleetPrefix}/lb-stopped/t")); // revoked on the way out, not left to its 10 s

        var none = await FleetAsync(viewer);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains($"no node publishes t under {FleetPrefix}", none.Stderr);
    }

    [Fact]
    public async Task After_etcd_restarts_publishing_resumes_and_health_and_metrics_say_so()
    {
        using var own = await EtcdFixture.StartNewAsync();
        await own.PutAsync($"{Apps}/web-1", "good-1");
        var port = FreePort.Next();
        await using var daemon = StartDaemon(own, "lb-1", ttl: "2s", http: port);
        var viewer = WriteConfig(own, "viewer", "viewer");
        await FleetUntilAsync(viewer, rows => rows is [{ } row] && row.GetProperty("inSync").GetBoolean(), daemon);
        await HealthAsync(port, fleet => fleet.GetProperty("publishing").GetBoolean());

        await own.StopAsync();
        await daemon.WaitForLineAsync(l => l.Contains("Cannot publish the fleet records"), "the failed publishing");
        var down = await HealthAsync(port, fleet => !fleet.GetProperty("publishing").GetBoolean());
        Assert.Contains("Unavailable", down.GetProperty("lastError").GetString());
        await Poll.UntilAsync(async () => Metric(await MetricsAsync(port), "reconciler_fleet_publishing") == 0, Timeout, () => "reconciler_fleet_publishing 0");
        await own.StartAsync();
        var changed = await own.PutAsync($"{Apps}/web-2", "good-2");

        var rows = await FleetUntilAsync(viewer, rows => rows is [{ } row] && row.GetProperty("revision").GetInt64() >= changed && row.GetProperty("inSync").GetBoolean(), daemon);
        Assert.Equal(Sha256Of(Dest("lb-1")), rows[0].GetProperty("sha256").GetString());
        await daemon.WaitForLineAsync(l => l.Contains("Publishing the fleet records again"), "publishing again");
        Assert.Single(daemon.Lines, l => l.Contains("Cannot publish the fleet records")); // once, though it retried every 667 ms
        await HealthAsync(port, fleet => fleet.GetProperty("publishing").GetBoolean());
        var metrics = await MetricsAsync(port);
        Assert.Equal(1, Metric(metrics, "reconciler_fleet_publishing"));
        Assert.Equal(rows[0].GetProperty("revision").GetInt64(), Metric(metrics, "reconciler_applied_revision{template=\"t\"}"));
    }

    [Fact]
    public async Task Hostile_records_are_skipped_or_shown_escaped_and_never_reach_the_terminal_raw()
    {
        await etcd.PutAsync($"{Apps}/web-1", "good-1");
        var evil = "\u001b]0;owned\u0007\u001b[2J";
        await etcd.PutAsync($"{FleetPrefix}/evil\u001b[31m/t", "{ not json");
        await etcd.PutAsync($"{FleetPrefix}/huge/t", new string('x', 1024 * 1024));
        await etcd.PutAsync($"{FleetPrefix}/lb{evil}/t", JsonSerializer.Serialize(new
        {
            node = $"lb{evil}", template = "t", revision = 1, sha256 = $"ab{evil}", outcome = $"ok{evil}", how = "reload\u202e", appliedAt = DateTimeOffset.UtcNow, version = "1",
        }));
        var viewer = WriteConfig(etcd, "viewer", "viewer");

        var table = await FleetAsync(viewer);
        var json = await FleetAsync(viewer, "--json");

        Assert.Equal(1, table.ExitCode); // its outcome is no "ok"
        foreach (var output in new[] { table.Stdout, table.Stderr, json.Stdout, json.Stderr })
        {
            Assert.DoesNotMatch(@"[\x00-\x09\x0b-\x1f\x7f\u202e]", output);
        }

        Assert.Contains(@"skipped /fleet-test/", table.Stderr);
        Assert.Contains(@"/evil\x1b[31m/t: not a fleet record", table.Stderr);
        Assert.Contains("/huge/t: 1048576 bytes, over the 16384 a fleet record may have", table.Stderr);
        Assert.Contains(@"lb\x1b]0;owned\x07\x1b[2J", table.Stdout);
        Assert.Contains(@"ok\x1b]0;owned", table.Stdout);
        var row = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray());
        Assert.Equal($"lb{evil}", row.GetProperty("node").GetString());
        Assert.False(row.GetProperty("inSync").GetBoolean());
    }

    [Fact]
    public async Task With_fleet_off_nothing_is_written_to_etcd()
    {
        // an etcd of its own: the other tests' daemons, killed at their end, leave leases that expire (a revision each)
        using var own = await EtcdFixture.StartNewAsync();
        await own.PutAsync($"{Apps}/web-1", "good-1");
        var before = await own.GetRevisionAsync();
        await using var daemon = RunningReconciler.Start("--config", WriteConfig(own, "lb-off", "lb-off", enabled: false));
        await Poll.UntilAsync(() => File.Exists(Dest("lb-off")) && File.ReadAllText(Dest("lb-off")) == "good-1;", Timeout, () => "the file rendered");
        var changed = await own.PutAsync($"{Apps}/web-2", "good-2");
        await Poll.UntilAsync(() => File.ReadAllText(Dest("lb-off")) == "good-1;good-2;", Timeout, () => "the change rendered");

        daemon.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await daemon.WaitForExitAsync(Timeout)).ExitCode);
        Assert.Equal(before + 1, changed);
        Assert.Equal(changed, await own.GetRevisionAsync()); // the test's own put and nothing else
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("Publishing what this node applied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fleet_prefix_inside_a_templates_keys_is_refused_by_check_and_at_start_in_one_line()
    {
        var config = WriteConfig(etcd, "lb-1", "lb-1", prefix: $"{Apps}/fleet");

        foreach (var result in new[] { await ReconcilerProcess.RunAsync("check", "--config", config), await ReconcilerProcess.RunAsync("--config", config) })
        {
            Assert.Equal(2, result.ExitCode);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"reconciler.fleet.prefix: \"{Apps}/fleet\" overlaps the keys \"{Apps}\" of template t", line);
        }
    }

    [Fact]
    public async Task A_SIGHUP_that_adds_a_template_over_the_running_fleet_prefix_is_rejected()
    {
        await etcd.PutAsync($"{Apps}/web-1", "good-1");
        await using var daemon = StartDaemon(etcd, "lb-1");
        await daemon.WaitForLineAsync(l => l.Contains("Publishing what this node applied"), "the records published");

        // fleet off in the new file, and a template reading the whole root: the running publisher still writes there
        WriteConfig(etcd, "lb-1", "lb-1", enabled: false, extra: $" }}, {{ name = all, src = t.sbn, dest = all.txt, keys = [\"{_root}\"]");
        daemon.Signal(LibC.SIGHUP);

        var rejected = await daemon.WaitForLineAsync(l => l.Contains("Configuration reload rejected"), "the rejected reload");
        Assert.Contains($"reconciler.templates: the running reconciler.fleet.prefix \"{FleetPrefix}\" overlaps the keys \"{_root}\" of template all", rejected);
    }

    [Fact]
    public async Task The_command_is_in_the_help_and_the_man_page()
    {
        var help = await ReconcilerProcess.RunAsync("--help");
        var own = await ReconcilerProcess.RunAsync("fleet", "--help");

        Assert.Matches(@"(?m)^ +fleet +Say which node serves what etcd holds now", help.Stdout);
        Assert.Contains("--json", own.Stdout);
        Assert.Contains("--template", own.Stdout);
        Assert.Contains(@".B reconciler fleet \-\-config", File.ReadAllText(Path.Combine(DebianPackage.RepositoryRoot, "packaging", "deb", "reconciler.1")));
    }

    private RunningReconciler StartDaemon(EtcdFixture on, string node, string ttl = "15s", string extra = "", int? http = null) =>
        RunningReconciler.Start("--config", WriteConfig(on, node, node, ttl, extra, http));

    private string Dest(string node) => Path.Combine(_folder, node, "out.txt");

    private string WriteConfig(EtcdFixture on, string folder, string node, string ttl = "15s", string extra = "", int? http = null, bool enabled = true, string? prefix = null)
    {
        var at = Directory.CreateDirectory(Path.Combine(_folder, folder)).FullName;
        File.WriteAllText(Path.Combine(at, "t.sbn"), $$$"""{{ for v in getvs "{{{Apps}}}/*" }}{{ v }};{{ end }}""");
        var config = Path.Combine(at, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend.endpoints = ["{{on.ClientUrl}}"]
            reconciler.supervision { min-backoff = 100ms, max-backoff = 500ms }
            reconciler.debounce { quiet = 0ms, max = 1s }
            reconciler.fleet { enabled = {{(enabled ? "true" : "false")}}, node = "{{node}}", prefix = "{{prefix ?? FleetPrefix}}", ttl = {{ttl}} }
            {{(http is { } port ? $"reconciler.http.listen = \"127.0.0.1:{port}\"" : string.Empty)}}
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["{{Apps}}"]{{extra}} }]
            """);
        return config;
    }

    private static Task<ProcessResult> FleetAsync(string config, params string[] more) =>
        ReconcilerProcess.RunAsync(["fleet", "--config", config, .. more]);

    /// <summary>Runs <c>reconciler fleet --json</c> until its rows pass <paramref name="done"/>.</summary>
    private static async Task<List<JsonElement>> FleetUntilAsync(string config, Func<List<JsonElement>, bool> done, RunningReconciler daemon)
    {
        List<JsonElement> rows = [];
        var last = "not run";
        await Poll.UntilAsync(
            async () =>
            {
                var result = await FleetAsync(config, "--json");
                last = $"exit {result.ExitCode}: {result.Stdout} {result.Stderr}";
                rows = result.Stdout.Trim().StartsWith('[') ? [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Select(r => r.Clone())] : [];
                return done(rows);
            },
            Timeout,
            () => $"the fleet's rows; last: {last}; a daemon's log:\n{string.Join('\n', daemon.StderrLines)}");
        return rows;
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>/healthz's fleet section, once it passes <paramref name="done"/>.</summary>
    private static async Task<JsonElement> HealthAsync(int port, Func<JsonElement, bool> done)
    {
        JsonElement body = default;
        await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await Http.GetAsync($"http://127.0.0.1:{port}/healthz");
                    body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                    body = body.GetProperty("fleet");
                    return body.ValueKind == JsonValueKind.Object && done(body);
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }
            },
            Timeout,
            () => $"/healthz's fleet; last: {body}");
        return body;
    }

    private static Task<string> MetricsAsync(int port) => Http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

    private static double Metric(string exposition, string series)
    {
        var match = Regex.Match(exposition, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }
}

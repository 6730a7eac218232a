using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>/healthz and /metrics of the running executable, against a real etcd or the file backend.</summary>
[Trait("Executable", "reconciler")]
public sealed class HealthEndpointTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-health-").FullName;
    private readonly int _port = FreePort.Next();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Unhealthy_while_etcd_is_down_and_healthy_again_when_it_is_back()
    {
        using var etcd = await EtcdFixture.StartNewAsync();
        await etcd.PutAsync("/h/web-1", "web-1");
        var config = WriteConfig($$"""
            reconciler.backend.endpoints = ["{{etcd.ClientUrl}}"]
            reconciler.supervision { min-backoff = 100ms, max-backoff = 500ms }
            """, "/h", reload: "true");
        using var daemon = RunningReconciler.Start(new Dictionary<string, string>(), "--config", config);

        var healthy = await HealthAsync(HttpStatusCode.OK, daemon);
        Assert.Equal("healthy", healthy.GetProperty("status").GetString());
        Assert.Equal("ok", healthy.GetProperty("templates").GetProperty("t").GetProperty("state").GetString());

        await etcd.StopAsync();
        var down = await HealthAsync(HttpStatusCode.ServiceUnavailable, daemon);
        Assert.False(down.GetProperty("backend").GetProperty("reachable").GetBoolean());
        Assert.Equal("ok", down.GetProperty("templates").GetProperty("t").GetProperty("state").GetString());

        await etcd.StartAsync();
        await HealthAsync(HttpStatusCode.OK, daemon);
        await Poll.UntilAsync(
            async () => Metric(await MetricsAsync(), "reconciler_watch_reconnects_total") >= 1,
            Timeout,
            () => "reconciler_watch_reconnects_total >= 1");
    }

    [Fact]
    public async Task A_failed_reload_is_unhealthy_until_a_later_reload_succeeds()
    {
        var fail = Path.Combine(_folder, "fail-reload");
        File.WriteAllText(fail, "");
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        var config = WriteConfig("reconciler.backend { type = file, file.path = keys.yaml }", "/a", reload: $"test ! -e '{fail}'");
        using var daemon = RunningReconciler.Start(new Dictionary<string, string>(), "--config", config);

        var failed = await HealthAsync(HttpStatusCode.ServiceUnavailable, daemon, body => State(body) == "reload-failed");
        Assert.Contains("exit 1", failed.GetProperty("templates").GetProperty("t").GetProperty("lastError").GetString());
        // at least the first attempt; the owed reload is retried with backoff meanwhile, each retry counted
        Assert.InRange(Metric(await MetricsAsync(), "reconciler_reload_failures_total", "t"), 1, 10);

        File.Delete(fail);
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n/a/2: web-2\n");

        var healthy = await HealthAsync(HttpStatusCode.OK, daemon);
        Assert.Equal("ok", State(healthy));
        Assert.Equal(2, healthy.GetProperty("templates").GetProperty("t").GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task With_http_details_off_a_failure_is_reported_without_its_text()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        var config = WriteConfig("reconciler.backend { type = file, file.path = keys.yaml }\nreconciler.http.details = false", "/a", reload: "echo s3cret-in-output; exit 1");
        using var daemon = RunningReconciler.Start(new Dictionary<string, string>(), "--config", config);

        var failed = await HealthAsync(HttpStatusCode.ServiceUnavailable, daemon, body => State(body) == "reload-failed");

        Assert.Equal(JsonValueKind.Null, failed.GetProperty("templates").GetProperty("t").GetProperty("lastError").ValueKind);
        Assert.DoesNotContain("s3cret", failed.GetRawText());
    }

    [Fact]
    public async Task A_skipped_key_is_named_in_last_error_and_counted_while_the_template_stays_healthy()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n/a/2: \"web-2\\nextra line\"\n");
        var config = WriteConfig("reconciler.backend { type = file, file.path = keys.yaml }", "/a", reload: "true");
        using var daemon = RunningReconciler.Start(new Dictionary<string, string>(), "--config", config);

        var healthy = await HealthAsync(HttpStatusCode.OK, daemon);

        Assert.Equal("ok", State(healthy));
        Assert.Equal("skipped 1 key(s): /a/2 (its value has a control character (a newline, say))", healthy.GetProperty("templates").GetProperty("t").GetProperty("lastError").GetString());
        Assert.Equal(1, Metric(await MetricsAsync(), "reconciler_skipped_keys", "t"));
        Assert.Equal("web-1;", File.ReadAllText(Path.Combine(_folder, "out.txt")));
    }

    [Fact]
    public async Task Metrics_count_renders_writes_and_reloads_as_keys_change()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        var config = WriteConfig("reconciler.backend { type = file, file.path = keys.yaml }", "/a", reload: "true");
        using var daemon = RunningReconciler.Start(new Dictionary<string, string>(), "--config", config);
        await HealthAsync(HttpStatusCode.OK, daemon);
        var before = await MetricsAsync();
        Assert.Equal(1, Metric(before, "reconciler_renders_total", "t"));
        Assert.Equal(1, Metric(before, "reconciler_reloads_total", "t", "changed"));
        Assert.Equal(1, Metric(before, "reconciler_backend_up"));

        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n/a/2: web-2\n");

        await Poll.UntilAsync(async () => Metric(await MetricsAsync(), "reconciler_reloads_total", "t", "changed") == 2, Timeout, () => "reconciler_reloads_total{template=\"t\",reason=\"changed\"} == 2");
        var after = await MetricsAsync();
        Assert.Equal(2, Metric(after, "reconciler_renders_total", "t"));
        Assert.Equal(2, Metric(after, "reconciler_writes_total", "t"));
        Assert.Equal(0, Metric(after, "reconciler_reload_failures_total", "t"));
        Assert.Equal(2, Metric(after, "reconciler_revision"));
        Assert.Equal(2, Metric(after, "reconciler_events_applied_total"));
        Assert.Equal(2, Metric(after, "reconciler_render_duration_seconds_count", "t"));
        Assert.Equal(0, Metric(after, "reconciler_reloads_total", "t", "fallback"));
        var lastApply = (await HealthAsync(HttpStatusCode.OK, daemon)).GetProperty("templates").GetProperty("t").GetProperty("lastApply");
        Assert.Equal(("reload", "the file changed"), (lastApply.GetProperty("how").GetString(), lastApply.GetProperty("why").GetString()));
    }

    [Fact]
    public async Task A_render_held_back_by_the_shrink_guard_is_unhealthy_and_counted()
    {
        var keys = Path.Combine(_folder, "keys.yaml");
        File.WriteAllText(keys, "/a/1: web-1\n/a/2: web-2\n/a/3: web-3\n/a/4: web-4\n");
        var config = WriteConfig("reconciler.backend { type = file, file.path = keys.yaml }", "/a", reload: "true", extra: ", max-shrink-percent = 50");
        using var daemon = RunningReconciler.Start(new Dictionary<string, string>(), "--config", config);
        await HealthAsync(HttpStatusCode.OK, daemon);

        File.WriteAllText(keys, "/a/1: web-1\n");

        var held = await HealthAsync(HttpStatusCode.ServiceUnavailable, daemon, body => State(body) == "held-back");
        Assert.StartsWith("held back by the shrink guard: ", held.GetProperty("templates").GetProperty("t").GetProperty("lastError").GetString());
        Assert.Equal("web-1;web-2;web-3;web-4;", File.ReadAllText(Path.Combine(_folder, "out.txt")));
        var metrics = await MetricsAsync();
        Assert.Equal(1, Metric(metrics, "reconciler_held_back_total", "t"));
        Assert.Equal(0, Metric(metrics, "reconciler_template_healthy", "t"));

        File.WriteAllText(keys, "/a/1: web-1\n/a/2: web-2\n/a/3: web-3\n");

        Assert.Equal("ok", State(await HealthAsync(HttpStatusCode.OK, daemon)));
        Assert.Equal(1, Metric(await MetricsAsync(), "reconciler_template_healthy", "t"));
    }

    private static string? State(JsonElement body) => body.GetProperty("templates").GetProperty("t").GetProperty("state").GetString();

    /// <summary>Polls /healthz until it answers <paramref name="expected"/> (and <paramref name="also"/> holds); returns the body.</summary>
    private async Task<JsonElement> HealthAsync(HttpStatusCode expected, RunningReconciler daemon, Func<JsonElement, bool>? also = null)
    {
        JsonElement body = default;
        var last = "no answer";
        await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await Http.GetAsync($"http://127.0.0.1:{_port}/healthz");
                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                    return response.StatusCode == expected && (also is null || also(body));
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }
            },
            Timeout,
            () => $"/healthz {(int)expected}; last answer: {last}; stderr:\n{string.Join('\n', daemon.StderrLines)}");
        return body;
    }

    private async Task<string> MetricsAsync() => await Http.GetStringAsync($"http://127.0.0.1:{_port}/metrics");

    /// <summary>The value of one series in Prometheus text format; -1 when absent.</summary>
    /// <param name="reason">The reason label (reconciler_reloads_total); none when null.</param>
    private static double Metric(string exposition, string name, string? template = null, string? reason = null)
    {
        var series = template is null ? name : reason is null ? $"{name}{{template=\"{template}\"}}" : $"{name}{{template=\"{template}\",reason=\"{reason}\"}}";
        var match = Regex.Match(exposition, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    private string WriteConfig(string backend, string prefix, string reload, string extra = "")
    {
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), $$$"""{{ for v in getvs "{{{prefix}}}/*" }}{{ v }};{{ end }}""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            {{backend}}
            reconciler.http.listen = "127.0.0.1:{{_port}}"
            reconciler.debounce { quiet = 0ms, max = 1s }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["{{prefix}}"], reload-cmd = "{{reload}}"{{extra}} }]
            """);
        return config;
    }
}

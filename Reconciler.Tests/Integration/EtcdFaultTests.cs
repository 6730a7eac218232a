using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Reconciler.Tests.Fixtures;
using Xunit.Abstractions;

namespace Reconciler.Tests.Integration;

/// <summary>
/// The daemon against the faults of a real etcd that used to leave it silently stale: a hung member, a network
/// path that stops forwarding, data beyond gRPC's default message size, a restore to an older revision and a
/// wiped cluster. Each test samples the file and /healthz together and asserts that the file comes to equal
/// etcd within a bound and that /healthz did not say healthy while the file was known to lag.
/// </summary>
public sealed class EtcdFaultTests(ITestOutputHelper output) : IDisposable
{
    private const string Prefix = "/fault";

    // a render already under way when the backend comes back is not a lag the daemon could report
    private static readonly TimeSpan RenderInFlight = TimeSpan.FromSeconds(1);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-etcd-fault-").FullName;
    private readonly int _port = FreePort.Next();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_hung_watch_member_is_noticed_within_the_watch_timeout_and_the_file_follows_the_other_members()
    {
        using var cluster = await EtcdCluster.StartAsync();
        await cluster.PutAsync(0, $"{Prefix}/a", "1");
        using var daemon = StartDaemon(cluster.ClientUrls, watchTimeout: "10s");
        await UntilFileAsync(Lines("a=1"), daemon);
        await HealthAsync(HttpStatusCode.OK, daemon);
        var holder = -1;
        await Poll.UntilAsync(async () => (holder = await cluster.WatchHolderAsync()) >= 0, TimeSpan.FromSeconds(10), () => "a member holds the watch");

        var clock = Stopwatch.StartNew();
        cluster.Freeze(holder);
        await cluster.PutAsync((holder + 1) % 3, $"{Prefix}/b", "2");
        var written = clock.Elapsed;
        var samples = await SampleUntilAsync(Lines("a=1", "b=2"), clock, TimeSpan.FromSeconds(30), daemon);

        // The stall is noticed at the watch timeout and the watch resumes on another member within a few hundred
        // ms, often between two samples: the daemon's own warning is the reliable witness that it noticed.
        var converged = samples[^1].At;
        output.WriteLine($"member {holder} frozen: file converged {converged} after the freeze, {converged - written} after the write");
        await daemon.WaitForLineAsync(line => line.Contains($"{cluster.ClientUrls[holder]}: watch not current", StringComparison.Ordinal), "the warning naming the hung member");
        Assert.True(converged <= TimeSpan.FromSeconds(13), $"file converged {converged} after the freeze");
        Assert.True(converged - written <= TimeSpan.FromSeconds(15), $"file converged {converged - written} after the write");
        AssertNeverHealthyWhileLagging(samples, from: TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_cluster_without_a_leader_is_reported_degraded_and_healthy_again_once_it_has_one()
    {
        using var cluster = await EtcdCluster.StartAsync();
        await cluster.PutAsync(0, $"{Prefix}/a", "1");
        using var daemon = StartDaemon(cluster.ClientUrls, watchTimeout: "3s", requestTimeout: "2s");
        await UntilFileAsync(Lines("a=1"), daemon);
        await HealthAsync(HttpStatusCode.OK, daemon);

        cluster.Freeze(0);
        cluster.Freeze(1);
        var degraded = await HealthAsync(HttpStatusCode.ServiceUnavailable, daemon, body => body.GetProperty("status").GetString() == "degraded");
        Assert.Contains("no leader", degraded.GetProperty("backend").GetProperty("lastError").GetString());

        cluster.Thaw(0);
        cluster.Thaw(1);
        await HealthAsync(HttpStatusCode.OK, daemon);
        await cluster.PutAsync(2, $"{Prefix}/b", "2");
        await UntilFileAsync(Lines("a=1", "b=2"), daemon);
    }

    [Fact]
    public async Task A_path_that_stops_forwarding_without_closing_makes_the_backend_not_current_until_it_forwards_again()
    {
        using var etcd = await EtcdFixture.StartNewAsync();
        await using var path = new TcpProxy(etcd.ClientPort);
        await etcd.PutAsync($"{Prefix}/a", "1");
        using var daemon = StartDaemon([path.Url], watchTimeout: "2s");
        await UntilFileAsync(Lines("a=1"), daemon);
        await HealthAsync(HttpStatusCode.OK, daemon);

        var clock = Stopwatch.StartNew();
        path.Freeze();
        await etcd.PutAsync($"{Prefix}/b", "2");
        var down = await HealthAsync(HttpStatusCode.ServiceUnavailable, daemon);
        var noticed = clock.Elapsed;
        Assert.False(down.GetProperty("backend").GetProperty("reachable").GetBoolean());
        Assert.Contains("not current", down.GetProperty("backend").GetProperty("lastError").GetString());
        Assert.Equal(Lines("a=1"), ReadFile());

        path.Thaw();
        var samples = await SampleUntilAsync(Lines("a=1", "b=2"), clock, TimeSpan.FromSeconds(30), daemon);

        output.WriteLine($"stalled path noticed after {noticed}; file converged {samples[^1].At - noticed} after forwarding resumed");
        Assert.True(noticed <= TimeSpan.FromSeconds(4), $"stalled path noticed after {noticed}");
        AssertNeverHealthyWhileLagging(samples, from: TimeSpan.Zero);
    }

    [Fact]
    public async Task Large_values_render_at_start_and_after_an_outage_during_which_more_were_written()
    {
        using var etcd = await EtcdFixture.StartNewAsync();
        await using var path = new TcpProxy(etcd.ClientPort);
        var small = new string('s', 5 * 1024);
        await etcd.PutManyAsync(Enumerable.Range(0, 1000).Select(i => KeyValuePair.Create($"{Prefix}/k{i:D4}", small)));
        using var daemon = StartDaemon([path.Url], watchTimeout: "10s", template: SizesTemplate);
        await UntilFileAsync(Sizes(await etcd.RangeAsync(Prefix)), daemon);

        var clock = Stopwatch.StartNew();
        path.Cut();
        for (var i = 0; i < 6; i++)
        {
            await etcd.PutAsync($"{Prefix}/large{i}", new string('l', 1024 * 1024));
        }

        path.Restore();
        var samples = await SampleUntilAsync(Sizes(await etcd.RangeAsync(Prefix)), clock, TimeSpan.FromSeconds(30), daemon, SizesTemplate);

        output.WriteLine($"6 x 1 MiB written during the outage: file converged {samples[^1].At} after the cut");
        Assert.DoesNotContain(daemon.StderrLines, line => line.Contains("ResourceExhausted", StringComparison.Ordinal));
        AssertNeverHealthyWhileLagging(samples, from: TimeSpan.Zero);
    }

    [Fact]
    public async Task After_a_restore_to_an_older_revision_the_file_equals_the_restored_content()
    {
        using var etcd = await EtcdFixture.StartNewAsync();
        await etcd.PutAsync($"{Prefix}/a", "1");
        await etcd.PutAsync($"{Prefix}/b", "2");
        var snapshot = Path.Combine(_folder, "backup.db");
        await etcd.SaveSnapshotAsync(snapshot);
        await etcd.DeleteAsync($"{Prefix}/a");
        for (var i = 0; i < 5; i++)
        {
            await etcd.PutAsync($"{Prefix}/c", $"{i}");
        }

        using var daemon = StartDaemon([etcd.ClientUrl], watchTimeout: "10s");
        await UntilFileAsync(Lines("b=2", "c=4"), daemon);

        var clock = Stopwatch.StartNew();
        await etcd.RestoreSnapshotAsync(snapshot);
        var samples = await SampleUntilAsync(Lines("a=1", "b=2"), clock, TimeSpan.FromSeconds(30), daemon);

        output.WriteLine($"restored etcd: file converged {samples[^1].At} after the restore began");
        Assert.Equal(new Dictionary<string, string> { [$"{Prefix}/a"] = "1", [$"{Prefix}/b"] = "2" }, await etcd.RangeAsync(Prefix));
        Assert.Contains(daemon.StderrLines, line => line.Contains("history changed", StringComparison.Ordinal));
        AssertNeverHealthyWhileLagging(samples, from: TimeSpan.Zero);
    }

    [Fact]
    public async Task After_etcd_is_wiped_and_recreated_the_file_equals_the_new_content()
    {
        using var etcd = await EtcdFixture.StartNewAsync();
        for (var i = 0; i < 10; i++)
        {
            await etcd.PutAsync($"{Prefix}/n{i}", "old");
        }

        using var daemon = StartDaemon([etcd.ClientUrl], watchTimeout: "10s");
        await UntilFileAsync(Lines([.. Enumerable.Range(0, 10).Select(i => $"n{i}=old")]), daemon);

        var clock = Stopwatch.StartNew();
        await etcd.WipeAndRecreateAsync();
        await etcd.PutAsync($"{Prefix}/x", "new");
        var samples = await SampleUntilAsync(Lines("x=new"), clock, TimeSpan.FromSeconds(30), daemon);
        output.WriteLine($"recreated etcd: file converged {samples[^1].At} after the wipe began");

        AssertNeverHealthyWhileLagging(samples, from: TimeSpan.Zero);
    }

    private const string KeysTemplate = $$$"""
        {{ for kv in gets "{{{Prefix}}}/*" }}{{ base kv.key }}={{ kv.value }}
        {{ end }}
        """;

    private const string SizesTemplate = $$$"""
        {{ for kv in gets "{{{Prefix}}}/*" }}{{ base kv.key }}={{ kv.value | string.size }}
        {{ end }}
        """;

    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    private static string Sizes(IReadOnlyDictionary<string, string> keys) =>
        Lines([.. keys.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key[(Prefix.Length + 1)..]}={kv.Value.Length}")]);

    /// <summary>
    /// A lagging file with /healthz healthy, from <paramref name="from"/> on (before it the daemon cannot know),
    /// is a broken promise, unless the file caught up within <see cref="RenderInFlight"/> of the sample.
    /// </summary>
    private static void AssertNeverHealthyWhileLagging(IReadOnlyList<Sample> samples, TimeSpan from)
    {
        var converged = samples[^1].At;
        var broken = samples.Where(s => s.At >= from && !s.FileCurrent && s.Healthy && converged - s.At > RenderInFlight).ToList();
        Assert.True(broken.Count == 0, $"/healthz said healthy while the file lagged at {string.Join(", ", broken.Select(s => s.At))}");
    }

    private string? ReadFile()
    {
        var path = Path.Combine(_folder, "out.txt");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private Task UntilFileAsync(string expected, RunningReconciler daemon) =>
        Poll.UntilAsync(() => ReadFile() == expected, TimeSpan.FromSeconds(30), () => $"out.txt == expected; stderr:\n{string.Join('\n', daemon.StderrLines)}");

    /// <summary>Samples /healthz and then the file until the file equals <paramref name="expected"/>; the last sample is the first that did.</summary>
    private async Task<IReadOnlyList<Sample>> SampleUntilAsync(
        string expected, Stopwatch clock, TimeSpan timeout, RunningReconciler daemon, string template = KeysTemplate)
    {
        var samples = new List<Sample>();
        var deadline = clock.Elapsed + timeout;
        while (true)
        {
            var healthy = await IsHealthyAsync();
            var current = ReadFile() == expected;
            samples.Add(new Sample(clock.Elapsed, current, healthy));
            if (current)
            {
                return samples;
            }

            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"out.txt did not equal etcd within {timeout} (template {template}); stderr:\n{string.Join('\n', daemon.StderrLines)}");
            }

            await Task.Delay(50);
        }
    }

    private async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await Http.GetAsync($"http://127.0.0.1:{_port}/healthz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task<JsonElement> HealthAsync(HttpStatusCode expected, RunningReconciler daemon, Func<JsonElement, bool>? also = null)
    {
        JsonElement body = default;
        await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await Http.GetAsync($"http://127.0.0.1:{_port}/healthz");
                    body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                    return response.StatusCode == expected && (also is null || also(body));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30),
            () => $"/healthz {(int)expected}; stderr:\n{string.Join('\n', daemon.StderrLines)}");
        return body;
    }

    private RunningReconciler StartDaemon(IReadOnlyList<string> endpoints, string watchTimeout, string template = KeysTemplate, string requestTimeout = "5s")
    {
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), template);
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend.endpoints = [{{string.Join(", ", endpoints.Select(e => $"\"{e}\""))}}]
            reconciler.backend.watch-timeout = {{watchTimeout}}
            reconciler.backend.request-timeout = {{requestTimeout}}
            reconciler.http.listen = "127.0.0.1:{{_port}}"
            reconciler.debounce { quiet = 0ms, max = 1s }
            reconciler.supervision { min-backoff = 100ms, max-backoff = 500ms }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["{{Prefix}}"], reload-cmd = "true" }]
            """);
        return RunningReconciler.Start(new Dictionary<string, string>(), "--config", config);
    }

    private sealed record Sample(TimeSpan At, bool FileCurrent, bool Healthy);
}

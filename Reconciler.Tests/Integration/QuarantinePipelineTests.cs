using Microsoft.Extensions.Logging;
using Reconciler.Actors.Journal;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>
/// Quarantine through the whole pipeline: a real etcd, and a real <c>haproxy -c</c> as check-cmd of a plain template
/// whose server lines take each value as it is. A registration naming a host that does not resolve makes HAProxy
/// refuse the whole file; it is left out, and every other change applies. (haproxy -c binds nothing: the frontend is
/// there because a file without a listener fails the check.)
/// </summary>
public sealed class QuarantinePipelineTests(EtcdFixture etcd) : Akka.TestKit.Xunit2.TestKit, IClassFixture<EtcdFixture>, IAsyncLifetime
{
    private const string Template = """
        defaults
            mode http
            timeout connect 1s
            timeout client 1s
            timeout server 1s
        frontend web
            bind 127.0.0.1:1
            default_backend app
        backend app
        {{~ for s in getvs (prefix + "/*") }}
            server {{ s }}
        {{~ end }}
        """;

    private const string HaproxyCheck = "/usr/sbin/haproxy -c -f {{src}}";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-quarantine-").FullName;
    private readonly string _prefix = $"/it/{Guid.NewGuid():N}";
    private PipelineHarness? _pipeline;

    private PipelineHarness Pipeline => _pipeline!;

    private string EvilKey => $"{_prefix}/evil";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task An_unresolvable_host_is_quarantined_the_good_registrations_apply_and_it_applies_once_fixed()
    {
        await etcd.PutAsync($"{_prefix}/web-1", "web-1 127.0.0.1:9001");
        Start();
        AwaitCondition(() => Live()?.Contains("server web-1 127.0.0.1:9001") == true, Deadline);

        // the bad registration and a good one in the same revision
        await etcd.PutManyAsync([KeyValuePair.Create(EvilKey, "evil does-not-exist.invalid:80"), KeyValuePair.Create($"{_prefix}/web-2", "web-2 127.0.0.1:9002")]);
        AwaitCondition(() => Live()?.Contains("server web-2 127.0.0.1:9002") == true, Deadline);
        Assert.DoesNotContain("evil", Live());
        var warning = Assert.Single(Quarantines());
        Assert.Contains($"quarantines key {EvilKey}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("could not resolve address 'does-not-exist.invalid'", warning.Message, StringComparison.Ordinal); // HAProxy's [ALERT] line

        // a later good change applies, the evil one stays out and is not said again
        await etcd.PutAsync($"{_prefix}/web-3", "web-3 127.0.0.1:9003");
        AwaitCondition(() => Live()?.Contains("server web-3 127.0.0.1:9003") == true, Deadline);
        Assert.DoesNotContain("evil", Live());
        Assert.Single(Quarantines());
        var journal = ApplyJournal.Read(Pipeline.PathOf("state/journal.jsonl"));
        Assert.Contains(journal, e => e.Quarantined is { } keys && keys.Any(k => k.Key == EvilKey && k.Reason.Contains("[ALERT]", StringComparison.Ordinal)));

        // changed again, to a value HAProxy takes: retried, and in the file
        await etcd.PutAsync(EvilKey, "evil 127.0.0.1:9009");
        AwaitCondition(() => Live()?.Contains("server evil 127.0.0.1:9009") == true, Deadline);
        Assert.Contains("server web-1 127.0.0.1:9001", Live());
        Assert.Contains("server web-2 127.0.0.1:9002", Live());
        Assert.Contains(Pipeline.Logs.Lines, l => l.Message.Contains($"retries quarantined key {EvilKey}", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp", SearchOption.AllDirectories)); // no trial left staged
    }

    private List<CapturedLog> Quarantines() =>
        [.. Pipeline.Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("quarantines key", StringComparison.Ordinal))];

    private string? Live() => Pipeline.ReadOrNull("out/haproxy.cfg");

    private void Start()
    {
        var hocon = $$"""
            reconciler {
              backend.endpoints = ["{{etcd.ClientUrl}}"]
              debounce { quiet = 0ms, max = 2s }
              templates = [{
                name = haproxy
                src = haproxy.sbn
                dest = out/haproxy.cfg
                keys = ["{{_prefix}}"]
                check-cmd = "{{HaproxyCheck}}"
                reload-cmd = "echo reload >> '{{_folder}}/reloads'"
                vars { prefix = "{{_prefix}}" }
              }]
            }
            """;
        _pipeline = PipelineHarness.Start(Sys, _folder, hocon, new Dictionary<string, string> { ["haproxy.sbn"] = Template, ["out/.keep"] = "" });
    }
}

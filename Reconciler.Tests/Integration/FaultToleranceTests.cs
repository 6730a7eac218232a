using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>Faults injected into a real etcd while the pipeline runs: the file must end up matching etcd.</summary>
public sealed class FaultToleranceTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const string Template = "{{ for kv in gets (prefix + \"/*\") }}{{ base kv.key }}={{ kv.value }}\n{{ end }}";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-fault-").FullName;
    private readonly string _prefix = $"/fault/{Guid.NewGuid():N}";
    private EtcdFixture _etcd = null!;
    private PipelineHarness? _pipeline;

    public async Task InitializeAsync() => _etcd = await EtcdFixture.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        _etcd.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Etcd_killed_and_restarted_nothing_is_rewritten_meanwhile_and_later_changes_arrive()
    {
        await _etcd.PutAsync($"{_prefix}/a", "1");
        Start([_etcd.ClientUrl]);
        AwaitCondition(() => Rendered() == Lines("a=1"), Deadline);
        var written = File.GetLastWriteTimeUtc(Pipeline.PathOf("out/app.cfg"));

        await _etcd.StopAsync();
        AwaitCondition(() => Pipeline.Logs.Lines.Any(l => l.Message.Contains("unavailable")), Deadline);
        Assert.Equal(Lines("a=1"), Rendered());
        Assert.Equal(written, File.GetLastWriteTimeUtc(Pipeline.PathOf("out/app.cfg")));

        await _etcd.StartAsync();
        await _etcd.PutAsync($"{_prefix}/b", "2");
        await _etcd.DeleteAsync($"{_prefix}/a");

        AwaitCondition(() => Rendered() == Lines("b=2"), Deadline);
    }

    [Fact]
    public async Task A_watch_cut_off_past_a_compaction_catches_up_with_deletes_and_changes()
    {
        await using var proxy = new TcpProxy(_etcd.ClientPort);
        await _etcd.PutAsync($"{_prefix}/keep", "1");
        await _etcd.PutAsync($"{_prefix}/change", "old");
        await _etcd.PutAsync($"{_prefix}/delete", "x");
        Start([proxy.Url]);
        AwaitCondition(() => Rendered() == Lines("change=old", "delete=x", "keep=1"), Deadline);

        proxy.Cut();
        await _etcd.PutAsync($"{_prefix}/change", "new");
        await _etcd.DeleteAsync($"{_prefix}/delete");
        await _etcd.PutAsync($"{_prefix}/added", "y");
        await _etcd.CompactAsync(await _etcd.GetRevisionAsync());
        proxy.Restore();

        AwaitCondition(() => Rendered() == Lines("added=y", "change=new", "keep=1"), Deadline);
        Assert.Contains(Pipeline.Logs.Lines, l => l.Message.Contains("compaction"));
    }

    [Fact]
    public async Task One_dead_endpoint_of_two_is_not_an_outage()
    {
        await _etcd.PutAsync($"{_prefix}/a", "1");
        Start([$"http://127.0.0.1:{FreePort.Next()}", _etcd.ClientUrl]);

        AwaitCondition(() => Rendered() == Lines("a=1"), Deadline);
        await _etcd.PutAsync($"{_prefix}/b", "2");
        AwaitCondition(() => Rendered() == Lines("a=1", "b=2"), Deadline);
    }

    [Fact]
    public async Task The_shrink_guard_holds_back_a_render_that_lost_most_keys_until_they_return()
    {
        for (var i = 0; i < 10; i++)
        {
            await _etcd.PutAsync($"{_prefix}/n{i}", "v");
        }

        // a wipe arrives as one batch; the quiet period gathers these single deletes the same way
        Start([_etcd.ClientUrl], extra: "max-shrink-percent = 50", quiet: "1s");
        AwaitCondition(() => Rendered()?.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 10, Deadline);
        var full = Rendered();

        for (var i = 0; i < 8; i++)
        {
            await _etcd.DeleteAsync($"{_prefix}/n{i}");
        }

        AwaitCondition(() => Pipeline.Logs.Lines.Any(l => l.Message.Contains("held back by the shrink guard")), Deadline);
        Assert.Equal(full, Rendered());

        for (var i = 0; i < 7; i++)
        {
            await _etcd.PutAsync($"{_prefix}/n{i}", "v");
        }

        AwaitCondition(() => Rendered()?.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 9, Deadline);
    }

    private PipelineHarness Pipeline => _pipeline!;

    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    private string? Rendered() => Pipeline.ReadOrNull("out/app.cfg");

    private void Start(string[] endpoints, string extra = "", string quiet = "0ms")
    {
        var hocon = $$"""
            reconciler {
              backend.endpoints = [{{string.Join(", ", endpoints.Select(e => $"\"{e}\""))}}]
              debounce { quiet = {{quiet}}, max = 5s }
              supervision { min-backoff = 100ms, max-backoff = 500ms }
              templates = [{
                name = app
                src = app.sbn
                dest = out/app.cfg
                keys = ["{{_prefix}}"]
                vars { prefix = "{{_prefix}}" }
                {{extra}}
              }]
            }
            """;
        _pipeline = PipelineHarness.Start(Sys, _folder, hocon, new Dictionary<string, string> { ["app.sbn"] = Template, ["out/.keep"] = "" });
    }
}

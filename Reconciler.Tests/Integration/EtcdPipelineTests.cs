using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>The whole pipeline against a real etcd: keys come and go, the file follows.</summary>
public sealed class EtcdPipelineTests(EtcdFixture etcd) : Akka.TestKit.Xunit2.TestKit, IClassFixture<EtcdFixture>, IAsyncLifetime
{
    private const string Template = """
        backend app
        {{~ for s in getvs (prefix + "/*") }}
            server {{ s }} check
        {{~ end }}
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-it-").FullName;
    private readonly string _prefix = $"/it/{Guid.NewGuid():N}";
    private PipelineHarness? _pipeline;

    private PipelineHarness Pipeline => _pipeline!;

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
    public async Task The_file_follows_puts_and_deletes()
    {
        await etcd.PutAsync($"{_prefix}/web-1", "web-1 127.0.0.1:9001");
        Start(quiet: "0ms");
        AwaitCondition(() => Rendered()?.Contains("server web-1 127.0.0.1:9001 check") == true, Deadline);

        await etcd.PutAsync($"{_prefix}/web-2", "web-2 127.0.0.1:9002");
        AwaitCondition(() => Rendered()?.Contains("server web-2 127.0.0.1:9002 check") == true, Deadline);

        await etcd.DeleteAsync($"{_prefix}/web-1");
        AwaitCondition(() => Rendered()?.Contains("web-1") == false, Deadline);
        Assert.Contains("server web-2 127.0.0.1:9002 check", Rendered());
        AwaitCondition(() => Pipeline.LinesIn("reloads") == 3, Deadline);
    }

    [Fact]
    public async Task A_burst_of_200_puts_costs_a_handful_of_reloads_and_ends_complete()
    {
        await etcd.PutAsync($"{_prefix}/seed", "seed 127.0.0.1:1");
        Start(quiet: "200ms", max: "5s");
        AwaitCondition(() => Pipeline.LinesIn("reloads") == 1, Deadline);

        for (var i = 0; i < 200; i++)
        {
            await etcd.PutAsync($"{_prefix}/n{i:000}", $"n{i:000} 127.0.0.1:{10000 + i}");
        }

        AwaitCondition(() => Rendered()?.Contains("server n199 127.0.0.1:10199 check") == true, Deadline);
        var lines = Rendered()!.Split('\n').Count(l => l.TrimStart().StartsWith("server n", StringComparison.Ordinal));
        Assert.Equal(200, lines);
        Assert.InRange(Pipeline.LinesIn("reloads") - 1, 1, 5);
    }

    [Fact]
    public async Task Keys_past_the_prefix_boundary_are_not_seen()
    {
        await etcd.PutAsync($"{_prefix}/web-1", "web-1 127.0.0.1:9001");
        Start(quiet: "0ms");
        AwaitCondition(() => Pipeline.LinesIn("reloads") == 1, Deadline);

        await etcd.PutAsync($"{_prefix}by/intruder", "intruder 127.0.0.1:6666");
        await etcd.PutAsync($"{_prefix}/web-2", "web-2 127.0.0.1:9002");

        AwaitCondition(() => Rendered()?.Contains("web-2") == true, Deadline);
        Assert.DoesNotContain("intruder", Rendered());
        Assert.Equal(2, Pipeline.LinesIn("reloads"));
    }

    [Fact]
    public async Task A_failing_check_leaves_the_live_file_and_skips_the_reload()
    {
        await etcd.PutAsync($"{_prefix}/web-1", "web-1 127.0.0.1:9001");
        Start(quiet: "0ms", check: "! grep -q BROKEN {{src}}", extra: "quarantine.enabled = false"); // with it, BROKEN would be left out and the rest applied
        AwaitCondition(() => Pipeline.LinesIn("reloads") == 1, Deadline);
        var good = Rendered();

        await etcd.PutAsync($"{_prefix}/web-2", "BROKEN");
        AwaitCondition(() => Pipeline.Logs.Lines.Any(l => l.Message.Contains("check=failed")), Deadline);
        Assert.Equal(good, Rendered());
        Assert.Equal(1, Pipeline.LinesIn("reloads"));

        await etcd.PutAsync($"{_prefix}/web-2", "web-2 127.0.0.1:9002");
        AwaitCondition(() => Rendered()?.Contains("web-2 127.0.0.1:9002") == true, Deadline);
        AwaitCondition(() => Pipeline.LinesIn("reloads") == 2, Deadline);

        // failed checks (and their retries) left no staged file behind
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Every_reconcile_writes_one_structured_log_line()
    {
        await etcd.PutAsync($"{_prefix}/web-1", "web-1 127.0.0.1:9001");
        Start(quiet: "0ms");
        AwaitCondition(() => Pipeline.LinesIn("reloads") == 1, Deadline);

        var line = Pipeline.Logs.Lines.Single(l => l.Message.StartsWith("Reconciled", StringComparison.Ordinal));
        Assert.Equal("app", line.Fields["Template"]);
        Assert.Equal(Pipeline.PathOf("out/app.cfg"), line.Fields["Dest"]);
        Assert.Equal("+1 ~0 -0", line.Fields["Changes"]);
        Assert.Equal("ok", line.Fields["Check"]);
        Assert.Equal("ok", line.Fields["Reload"]);
        Assert.True((long)line.Fields["Revision"]! > 0);
        Assert.True((int)line.Fields["Bytes"]! > 0);
    }

    [Fact]
    public async Task A_flood_of_keys_past_max_keys_is_held_back_with_the_reason_and_the_file_kept()
    {
        await etcd.PutManyAsync(Enumerable.Range(0, 100_000).Select(i => KeyValuePair.Create($"{_prefix}/flood-{i:D6}", $"f{i} 10.1.0.1:80")));
        Directory.CreateDirectory(Path.Combine(_folder, "out"));
        File.WriteAllText(Path.Combine(_folder, "out", "app.cfg"), "backend app\n    server web-1 127.0.0.1:9001 check\n");

        Start(quiet: "0ms", extra: "max-keys = 10000");

        AwaitCondition(() => Pipeline.Logs.Lines.Any(l => l.Message.Contains($"check=held back by max-keys: 100000 keys under {_prefix}, more than 10000")), TimeSpan.FromSeconds(60));
        Assert.Equal("backend app\n    server web-1 127.0.0.1:9001 check\n", Rendered());
        Assert.Equal(0, Pipeline.LinesIn("reloads"));
    }

    [Fact]
    public async Task Three_templates_sharing_a_reload_command_changed_by_one_transaction_cost_one_reload_and_each_alone_one()
    {
        // each template watches its own prefix: the transaction reaches the daemon as three watch batches, which the
        // debounce window gathers (with quiet = 0 they are gathered only when they arrive together)
        const string quiet = "200ms";
        var names = new[] { "a", "b", "c" };
        foreach (var name in names)
        {
            await etcd.PutAsync($"{_prefix}/{name}/1", "v1");
        }

        var templates = string.Join(",\n", names.Select(name => $$"""
            { name = {{name}}, src = t.sbn, dest = "out/{{name}}.cfg", keys = ["{{_prefix}}/{{name}}"],
              reload-cmd = "echo reload >> '{{_folder}}/reloads'", vars { prefix = "{{_prefix}}/{{name}}" } }
            """));
        var hocon = $$"""
            reconciler {
              backend.endpoints = ["{{etcd.ClientUrl}}"]
              commands.min-reload-interval = 0s # the reload counts below follow each change at once
              debounce { quiet = {{quiet}}, max = 2s }
              templates = [ {{templates}} ]
            }
            """;
        _pipeline = PipelineHarness.Start(Sys, _folder, hocon, new Dictionary<string, string> { ["t.sbn"] = Template, ["out/.keep"] = "" });
        AwaitCondition(() => Pipeline.LinesIn("reloads") == 1, Deadline); // the first render of all three: one reload
        AwaitCondition(() => Pipeline.Logs.Lines.Count(l => l.Message.Contains("reload=ok for 3 templates")) == 3, Deadline);

        await etcd.PutManyAsync(names.Select(name => KeyValuePair.Create($"{_prefix}/{name}/1", "v2")));
        AwaitCondition(() => names.All(name => Pipeline.ReadOrNull($"out/{name}.cfg")?.Contains("v2") == true), Deadline);
        AwaitCondition(() => Pipeline.Logs.Lines.Count(l => l.Message.StartsWith("Reconciled", StringComparison.Ordinal)) == 6, Deadline);
        Assert.Equal(2, Pipeline.LinesIn("reloads"));

        foreach (var (name, reloads) in names.Select((name, i) => (name, 3 + i)))
        {
            await etcd.PutAsync($"{_prefix}/{name}/1", "v3");
            AwaitCondition(() => Pipeline.LinesIn("reloads") == reloads, Deadline);
        }

        AwaitCondition(() => Pipeline.Logs.Lines.Count(l => l.Message.StartsWith("Reconciled", StringComparison.Ordinal)) == 9, Deadline);
        Assert.Equal(5, Pipeline.LinesIn("reloads"));
    }

    private string? Rendered() => Pipeline.ReadOrNull("out/app.cfg");

    private void Start(string quiet, string max = "2s", string check = "test -s {{src}}", string extra = "")
    {
        var hocon = $$"""
            reconciler {
              backend.endpoints = ["{{etcd.ClientUrl}}"]
              commands.min-reload-interval = 0s # the reload counts below follow each change at once
              debounce { quiet = {{quiet}}, max = {{max}} }
              templates = [{
                name = app
                src = app.sbn
                dest = out/app.cfg
                keys = ["{{_prefix}}"]
                check-cmd = "{{check}}"
                reload-cmd = "echo reload >> '{{_folder}}/reloads'"
                vars { prefix = "{{_prefix}}" }
                {{extra}}
              }]
            }
            """;
        _pipeline = PipelineHarness.Start(Sys, _folder, hocon, new Dictionary<string, string> { ["app.sbn"] = Template, ["out/.keep"] = "" });
    }
}

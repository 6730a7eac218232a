using System.Globalization;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary><c>render --revision</c> and <c>diff --from --to</c> against a real etcd's history.</summary>
[Trait("Executable", "reconciler")]
public sealed class TimeTravelTests : IAsyncLifetime, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-history-").FullName;
    private EtcdFixture? _etcd;

    private EtcdFixture Etcd => _etcd!;

    public async Task InitializeAsync() => _etcd = await EtcdFixture.StartNewAsync();

    public Task DisposeAsync()
    {
        _etcd?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_render_at_an_earlier_revision_is_what_the_template_gave_then_and_diff_shows_what_a_revision_changed()
    {
        var config = WriteConfig();
        var first = await Etcd.PutAsync("/apps/web-1", "10.0.0.1:80");
        var then = await ReconcilerProcess.RunAsync("render", "--config", config, "t");
        var second = await Etcd.PutAsync("/apps/web-2", "10.0.0.2:80");
        await Etcd.DeleteAsync("/apps/web-1");

        var past = await ReconcilerProcess.RunAsync("render", "--config", config, "t", "--revision", first.ToString(CultureInfo.InvariantCulture));
        var diff = await ReconcilerProcess.RunAsync("diff", "--config", config, "t", "--from", first.ToString(CultureInfo.InvariantCulture), "--to", second.ToString(CultureInfo.InvariantCulture));
        var sinceThen = await ReconcilerProcess.RunAsync("diff", "--config", config, "t", "--from", first.ToString(CultureInfo.InvariantCulture));

        Assert.Equal((0, "server web-1 10.0.0.1:80\n"), (past.ExitCode, past.Stdout));
        Assert.Equal(then.Stdout, past.Stdout);
        Assert.Equal(0, diff.ExitCode);
        Assert.Contains($"--- t@{first}", diff.Stdout);
        Assert.Contains($"+++ t@{second}", diff.Stdout);
        Assert.Contains("+server web-2 10.0.0.2:80", diff.Stdout);
        Assert.DoesNotContain("-server web-1", diff.Stdout);
        Assert.Contains("-server web-1 10.0.0.1:80", sinceThen.Stdout);
        Assert.Contains("+++ t@now", sinceThen.Stdout);
    }

    [Fact]
    public async Task A_compacted_revision_is_one_clear_line_and_exit_1()
    {
        var config = WriteConfig();
        var old = await Etcd.PutAsync("/apps/web-1", "10.0.0.1:80");
        var now = await Etcd.PutAsync("/apps/web-1", "10.0.0.9:80");
        await Etcd.CompactAsync(now);

        var result = await ReconcilerProcess.RunAsync("render", "--config", config, "t", "--revision", old.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"Cannot read keys at revision {old}", line);
        Assert.Contains("compacted", line);
    }

    private string WriteConfig()
    {
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), "{{ for kv in gets \"/apps/*\" }}server {{ base kv.key }} {{ kv.value }}\n{{ end }}");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend.endpoints = ["{{Etcd.ClientUrl}}"]
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/apps"] }]
            """);
        return config;
    }
}

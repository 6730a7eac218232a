using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>The daemon process under signals: SIGTERM exits cleanly mid-check, SIGHUP reloads or rejects the configuration.</summary>
[Trait("Executable", "reconciler")]
public sealed class DaemonLifecycleTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-daemon-").FullName;
    private readonly string _marker = $"reconciler-test-{Guid.NewGuid():N}";

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Sigterm_during_a_slow_check_exits_zero_with_no_staged_file_or_child_left()
    {
        Write("keys.yaml", "/a/1: one\n");
        Write("a.sbn", """{{ getv "/a/1" }}""");
        // the check announces itself, then hangs far longer than the shutdown bound
        var config = Config($$"""
            reconciler.shutdown.timeout = 1s
            reconciler.templates = [{ name = a, src = a.sbn, dest = out/a.txt, keys = ["/a"],
              check-cmd = "touch '{{_folder}}/checking'; sleep 600 # {{_marker}}" }]
            """);
        using var daemon = RunningReconciler.Start("--config", config);
        await Until(() => File.Exists(Path.Combine(_folder, "checking")));
        Assert.NotEmpty(StagedFiles());

        daemon.Signal(LibC.SIGTERM);

        Assert.Equal(0, (await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20))).ExitCode);
        Assert.Empty(StagedFiles());
        Assert.False(File.Exists(Path.Combine(_folder, "out", "a.txt")));
        Assert.Empty(ProcessesMentioning(_marker));
    }

    [Fact]
    public async Task Sigterm_after_a_reload_exits_at_once_with_nothing_left_running()
    {
        Write("keys.yaml", "/a/1: one\n");
        Write("a.sbn", """A={{ getv "/a/1" }}""");
        var config = Config("""
            reconciler.templates = [{ name = a, src = a.sbn, dest = out/a.txt, keys = ["/a"], check-cmd = "true", reload-cmd = "true" }]
            """);
        using var daemon = RunningReconciler.Start("--config", config);
        await Until(() => daemon.CountLines("reload=ok") == 1);

        daemon.Signal(LibC.SIGTERM);

        // the reload queue waits for the next reload until it is stopped: not work still running, to be waited for
        Assert.Equal(0, (await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20))).ExitCode);
        Assert.DoesNotContain(daemon.StderrLines, l => l.Contains("still being stopped"));
    }

    [Fact]
    public async Task A_reload_that_failed_before_a_restart_is_run_by_the_next_daemon_though_the_file_is_unchanged()
    {
        Write("keys.yaml", "/a/1: one\n");
        Write("a.sbn", """A={{ getv "/a/1" }}""");
        var broken = Write("reload-broken", "");
        var config = Config($$"""
            reconciler.templates = [{ name = a, src = a.sbn, dest = out/a.txt, keys = ["/a"],
              reload-cmd = "test ! -e '{{broken}}' && echo reloaded >> '{{_folder}}/reloads'" }]
            """);
        using (var first = RunningReconciler.Start("--config", config))
        {
            await Until(() => first.CountLines("reload=failed") >= 1);
            first.Signal(LibC.SIGTERM);
            Assert.Equal(0, (await first.WaitForExitAsync(TimeSpan.FromSeconds(20))).ExitCode);
        }

        File.Delete(broken);
        using var second = RunningReconciler.Start("--config", config);

        await Until(() => second.CountLines("reload=ok") == 1);
        Assert.Contains(second.StderrLines, l => l.Contains("Reconciled a") && l.Contains("check=unchanged") && l.Contains("reload=ok"));
        Assert.Equal(["reloaded"], File.ReadAllLines(Path.Combine(_folder, "reloads")));
        Assert.Equal("A=one", Read("out/a.txt"));
        Assert.Equal(["a.txt"], Directory.GetFiles(Path.Combine(_folder, "out")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Sighup_with_a_good_config_rerenders_only_the_changed_template()
    {
        using var daemon = await StartTwoTemplatesAsync();

        Write("a.sbn", """a is {{ getv "/a/1" }}""");
        daemon.Signal(LibC.SIGHUP);

        await Until(() => Read("out/a.txt") == "a is one");
        await Until(() => daemon.CountLines("Configuration reloaded") == 1 && daemon.CountLines("Reconciled a") == 2);
        Assert.Equal(1, daemon.CountLines("Reconciled b"));
    }

    [Fact]
    public async Task A_sighup_that_changed_nothing_logs_no_key_changes_when_it_retries_a_failed_reload()
    {
        Write("keys.yaml", "/a/1: one\n/a/2: two\n");
        Write("a.sbn", """{{ for v in getvs "/a/*" }}{{ v }}{{ end }}""");
        using var daemon = RunningReconciler.Start("--config", Config("""
            reconciler.debounce.quiet = 0ms
            reconciler.templates = [{ name = a, src = a.sbn, dest = out/a.txt, keys = ["/a"], reload-cmd = "false" }]
            """));
        await Until(() => daemon.CountLines("reload=failed") >= 1);

        daemon.Signal(LibC.SIGHUP);

        await Until(() => daemon.CountLines("changes=none (configuration reloaded)") >= 1);
        var reconciled = daemon.StderrLines.Where(l => l.Contains("Reconciled a ", StringComparison.Ordinal)).ToList();
        Assert.Contains("changes=+2 ~0 -0", reconciled[0]);
        Assert.All(reconciled.Skip(1), l => Assert.DoesNotContain("changes=+", l));
    }

    [Fact]
    public async Task A_sighup_storm_that_changes_a_template_runs_every_reload_it_logs_and_warns_of_no_owed_reload()
    {
        Write("keys.yaml", "/a/1: one\n");
        Write("a.sbn", """A0={{ getv "/a/1" }}""");
        var reloads = Path.Combine(_folder, "reloads");
        using var daemon = RunningReconciler.Start("--config", Config($$"""
            reconciler.debounce.quiet = 0ms
            reconciler.commands.min-reload-interval = 0s # every SIGHUP's reload runs as soon as it can
            reconciler.templates = [{ name = a, src = a.sbn, dest = out/a.txt, keys = ["/a"],
              reload-cmd = "sleep 0.05; echo reloaded >> '{{reloads}}'" }]
            """));
        await Until(() => daemon.CountLines("reload=ok") == 1);

        // each SIGHUP changes the template while the last one's write and reload are likely still under way
        for (var i = 1; i <= 20; i++)
        {
            Write("a.sbn", $"A{i}=" + """{{ getv "/a/1" }}""");
            daemon.Signal(LibC.SIGHUP);
            await Task.Delay(TimeSpan.FromMilliseconds(40));
        }

        await Until(() => Read("out/a.txt") == "A20=one");
        daemon.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await daemon.WaitForExitAsync(Deadline)).ExitCode);

        Assert.Equal(0, daemon.CountLines("written but not reloaded successfully before"));
        Assert.Equal(0, daemon.CountLines("reload=failed"));
        Assert.Equal(daemon.CountLines("reload=ok"), File.ReadAllLines(reloads).Length);
        Assert.Equal("A20=one", Read("out/a.txt"));
    }

    [Theory]
    [InlineData("reconciler.debounce.quiet = later", "reconciler.debounce.quiet: \"later\" is not a duration")]
    [InlineData("reconciler.template-defaults.chek-cmd = false", "reconciler.template-defaults.chek-cmd: unknown setting; did you mean reconciler.template-defaults.check-cmd?")]
    public async Task Sighup_with_a_broken_config_is_rejected_and_the_old_one_keeps_running(string mistake, string message)
    {
        using var daemon = await StartTwoTemplatesAsync();

        Write("reconciler.conf", "reconciler.backend { type = file, file.path = keys.yaml }\n" + TwoTemplates + $"\n{mistake}\n");
        daemon.Signal(LibC.SIGHUP);
        await Until(() => daemon.CountLines("Configuration reload rejected") == 1);
        Assert.Contains(daemon.StderrLines, l => l.Contains(message));

        Write("keys.yaml", "/a/1: two\n/b/1: bee\n");
        await Until(() => Read("out/a.txt") == "A=two");
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task Sighup_with_a_new_log_level_applies_it_at_once()
    {
        using var daemon = await StartTwoTemplatesAsync();

        Write("reconciler.conf", "reconciler.backend { type = file, file.path = keys.yaml }\n" + TwoTemplates + "\nreconciler.log.level = debug\n");
        daemon.Signal(LibC.SIGHUP);
        await Until(() => daemon.CountLines("Configuration reloaded") == 1);
        Write("keys.yaml", "/a/1: two\n/b/1: bee\n");

        // debug lines from the running daemon: the diff of the change, as at debug from the start
        await Until(() => daemon.CountLines("a diff| +A=two") == 1);
        Assert.Equal(0, daemon.CountLines("diff| +A=one"));
        Assert.Equal(0, daemon.CountLines("next restart"));
    }

    private const string TwoTemplates = """
        reconciler.debounce.quiet = 0ms
        reconciler.templates = [
          { name = a, src = a.sbn, dest = out/a.txt, keys = ["/a"] },
          { name = b, src = b.sbn, dest = out/b.txt, keys = ["/b"] }
        ]
        """;

    /// <summary>The daemon on templates a (/a/1 = one) and b (/b/1 = bee), past the first reconcile of both.</summary>
    private async Task<RunningReconciler> StartTwoTemplatesAsync()
    {
        Write("keys.yaml", "/a/1: one\n/b/1: bee\n");
        Write("a.sbn", """A={{ getv "/a/1" }}""");
        Write("b.sbn", """B={{ getv "/b/1" }}""");
        var daemon = RunningReconciler.Start("--config", Config(TwoTemplates));
        try
        {
            await Until(() => Read("out/a.txt") == "A=one" && Read("out/b.txt") == "B=bee");
            await Until(() => daemon.CountLines("Reconciled a") == 1 && daemon.CountLines("Reconciled b") == 1);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    private string Config(string templates)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "out"));
        return Write("reconciler.conf", "reconciler.backend { type = file, file.path = keys.yaml }\n" + templates);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string? Read(string name) => File.Exists(Path.Combine(_folder, name)) ? File.ReadAllText(Path.Combine(_folder, name)) : null;

    private string[] StagedFiles() => Directory.GetFiles(Path.Combine(_folder, "out"), "*.tmp");

    /// <summary>Live processes whose command line contains <paramref name="text"/> (zombies excluded).</summary>
    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var state = File.ReadAllText(Path.Combine(dir, "stat")).Split(") ")[1][0];
                if (cmdline.Contains(text, StringComparison.Ordinal) && state != 'Z')
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
            {
                // the process ended while we looked
            }
        }

        return found;
    }

    private static Task Until(Func<bool> condition) => Poll.UntilAsync(condition, Deadline, () => "the daemon's state");
}

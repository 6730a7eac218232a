using System.Globalization;
using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Output;

public sealed class CommandRunnerTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly CommandRunner _runner = new();
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Success_reports_exit_0_and_the_output()
    {
        var result = await _runner.RunAsync("echo hello", Generous, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("hello\n", result.Output);
        Assert.True(result.Succeeded);
        Assert.False(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.Equal("exit 0: hello", result.Summary);
    }

    [Fact]
    public async Task Failure_reports_the_exit_code_and_stdout_and_stderr_and_stderr_alone()
    {
        var result = await _runner.RunAsync("echo one; echo two >&2; echo three; echo '[ALERT] bad line 3' >&2; exit 3", Generous, CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        // a pipe each: each stream's lines in their order, the two streams' chunks as they arrived
        Assert.Equal(["[ALERT] bad line 3", "one", "three", "two"], result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal("two\n[ALERT] bad line 3\n", result.Errors);
        Assert.False(result.Succeeded);
        Assert.Equal("exit 3: [ALERT] bad line 3", result.Summary);
    }

    [Fact]
    public async Task Stdin_is_empty_so_a_reading_command_does_not_hang()
    {
        var result = await _runner.RunAsync("cat; echo read-eof", Generous, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal("read-eof\n", result.Output);
    }

    [Fact]
    public async Task The_command_line_is_shell_syntax()
    {
        var result = await _runner.RunAsync("for x in a b; do printf '%s-' \"$x\"; done | tr a-z A-Z", Generous, CancellationToken.None);

        Assert.Equal("A-B-", result.Output);
    }

    [Fact]
    public async Task The_command_leads_a_process_group_of_its_own()
    {
        var result = await _runner.RunAsync("echo $$ $(cut -d' ' -f5 /proc/$$/stat)", Generous, CancellationToken.None);

        var ids = result.Output.Split(' ', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ProcessGroup.Own(), ids[1]);
    }

    [Fact]
    public async Task The_command_ignores_and_blocks_no_signal_whatever_the_daemon_does()
    {
        // What the command inherits through exec (grep replacing the shell reads its own): a disposition the runtime set
        // (SIGPIPE ignored) must not reach it. The shell's own mask is no measure: it blocks signals around its forks.
        var result = await _runner.RunAsync("exec grep -E '^Sig(Ign|Blk):' /proc/self/status", Generous, CancellationToken.None);

        var masks = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(line => line[..6], line => ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        const ulong StandardSignals = 0x7fffffff; // 1-31: above them are glibc's own (32, 33) and the real-time ones
        Assert.Equal(0ul, masks["SigIgn"] & StandardSignals);
        Assert.Equal(0ul, masks["SigBlk"]);
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_reports_128_plus_the_signal()
    {
        var result = await _runner.RunAsync("kill -TERM $$", Generous, CancellationToken.None);

        Assert.Equal(128 + 15, result.ExitCode);
    }

    [Fact]
    public async Task A_missing_shell_or_command_is_an_exit_code_not_a_crash()
    {
        var result = await _runner.RunAsync("/nonexistent/check-tool", Generous, CancellationToken.None);

        Assert.Equal(127, result.ExitCode);
        Assert.Contains("/nonexistent/check-tool", result.Output);
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_group_including_background_jobs()
    {
        var result = await _runner.RunAsync(
            "echo $$; sleep 1000 >/dev/null 2>&1 & sleep 1000 & sleep 1000",
            TimeSpan.FromSeconds(3), // room for the shell to print its pid on a loaded machine
            CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(12)); // timers may fire a hair early
        Assert.StartsWith("timed out after 3", result.Summary);
        await ProcessGroup.AssertGoneAsync(GroupOf(result));
    }

    [Fact]
    public async Task Timeout_ends_a_job_that_left_the_process_group_and_does_not_wait_on_the_pipe_it_held()
    {
        // sleep takes a fraction of a second: the number marks this run's job in /proc
        var marker = $"32.{Random.Shared.Next(100_000, 1_000_000)}";
        var timeout = TimeSpan.FromSeconds(2);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = await _runner.RunAsync($"setsid sleep {marker} & sleep 20", timeout, CancellationToken.None);

        watch.Stop();
        try
        {
            // SIGKILLed, a process finishes dying asynchronously
            await Poll.UntilAsync(() => Sleeping(marker).Length == 0, TimeSpan.FromSeconds(5), () => $"sleep {marker} still runs");
        }
        finally
        {
            Array.ForEach(Sleeping(marker), pid => _ = LibC.kill(pid, LibC.SIGKILL));
        }

        Assert.True(result.TimedOut);
        // killed, the job closed the output: no wait of the second's grace for a writer that stays
        Assert.InRange(watch.Elapsed - timeout, TimeSpan.Zero, TimeSpan.FromSeconds(0.8));
    }

    /// <summary>Live processes (not zombies) running <c>sleep</c> with <paramref name="argument"/>.</summary>
    private static int[] Sleeping(string argument) =>
        [.. ProcessTable.Read().Entries
            .Where(entry => !entry.IsZombie)
            .Where(entry => ReadCommandLine(entry.Id) == $"sleep\0{argument}\0")
            .Select(entry => entry.Id)];

    private static string? ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_process_group()
    {
        var fifo = _folder["started"];
        Assert.True((await _runner.RunAsync($"mkfifo '{fifo}'", Generous, CancellationToken.None)).Succeeded);
        using var cancel = new CancellationTokenSource();

        var running = _runner.RunAsync($"echo $$ > '{fifo}'; sleep 1000 & sleep 1000", Generous, cancel.Token);
        // Opening the fifo returns once the command has opened it for writing: it has started, with its group.
        var groupId = int.Parse(await File.ReadAllTextAsync(fifo).WaitAsync(Generous), CultureInfo.InvariantCulture);
        await cancel.CancelAsync();
        var result = await running.WaitAsync(Generous);

        Assert.True(result.Cancelled);
        Assert.False(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.StartsWith("cancelled after", result.Summary);
        await ProcessGroup.AssertGoneAsync(groupId);
    }

    [Fact]
    public async Task Cancelled_before_it_starts_it_still_ends_cleanly()
    {
        var result = await _runner.RunAsync("sleep 1000", Generous, new CancellationToken(canceled: true));

        Assert.True(result.Cancelled);
        Assert.InRange(result.Duration, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_background_job_holding_the_output_does_not_hold_up_the_result()
    {
        var result = await _runner.RunAsync("sleep 1000 & echo $!", Generous, CancellationToken.None);
        var job = int.Parse(result.Output, CultureInfo.InvariantCulture);
        try
        {
            Assert.True(result.Succeeded);
            Assert.InRange(result.Duration, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }
        finally
        {
            System.Diagnostics.Process.GetProcessById(job).Kill();
        }
    }

    [Fact]
    public async Task A_failed_haproxy_check_is_summed_up_by_the_alert_naming_the_problem()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"reconciler-bad-{Guid.NewGuid():N}.cfg");
        File.WriteAllText(bad, "defaults\n  mode http\nbackend b\n  server bad name with spaces 1.2.3.4:notaport\n");
        try
        {
            var result = await _runner.RunAsync($"haproxy -c -f {bad}", Generous, CancellationToken.None);

            Assert.Contains("Fatal errors found in configuration", result.Output);
            Assert.Matches(@"^exit 1: \[ALERT\] .*:4\] : 'server b/bad' : unknown keyword 'with'", result.Summary);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Theory]
    [InlineData("nginx: [emerg] unknown directive \"foo\" in /etc/nginx/nginx.conf:12\nnginx: configuration file /etc/nginx/nginx.conf test failed\n", "exit 1: nginx: [emerg] unknown directive \"foo\" in /etc/nginx/nginx.conf:12")]
    [InlineData("checking\nall bad\n", "exit 1: all bad")]
    [InlineData("checking\nERROR: no such pool\ndone\n", "exit 1: ERROR: no such pool")]
    public void A_failure_without_stderr_is_summed_up_by_its_first_error_line_or_else_its_last_line(string output, string summary) =>
        Assert.Equal(summary, new CommandResult(1, output, TimeSpan.Zero, TimedOut: false).Summary);

    [Theory]
    [InlineData("kill -USR2 $(cat /nonexistent/haproxy.pid)", "exit 2: cat: /nonexistent/haproxy.pid: No such file or directory")]
    [InlineData("job() { echo 'Job for app.service failed because the control process exited with error code.' >&2; echo 'See \"systemctl status app.service\" for details.' >&2; exit 1; }; job", "exit 1: Job for app.service failed because the control process exited with error code.")]
    [InlineData("echo 'reloading' ; echo 'pool web: no such backend' >&2; echo 'done, 0 errors'; exit 1", "exit 1: pool web: no such backend")]
    [InlineData("echo 'all good' >&2; echo 'but this said why: it failed'; exit 1", "exit 1: all good")]
    public async Task A_failure_is_summed_up_by_stderr_s_first_line(string command, string summary)
    {
        var result = await _runner.RunAsync(command, Generous, CancellationToken.None);

        Assert.Equal(summary, result.Summary);
    }

    [Theory]
    // no listener: a version banner and a multi-line timeout warning on stderr, the cause on stdout
    [InlineData("defaults\n  mode http\nbackend b\n  server s1 127.0.0.1:80\n", @"^exit 2: Configuration file has no error but will not start \(no listener\) => exit\(2\)\.$")]
    [InlineData("defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:8080\n  default_backend nowhere\n", @"^exit 1: \[ALERT\] +\(\d+\) : config : Proxy 'f': unable to find required default_backend: 'nowhere'\.$")]
    public async Task A_haproxy_check_is_summed_up_by_its_cause_not_by_its_notices_or_warnings(string config, string summary)
    {
        var file = _folder["haproxy.cfg"];
        File.WriteAllText(file, config);

        var result = await _runner.RunAsync($"haproxy -c -f {file}", Generous, CancellationToken.None);

        Assert.Matches(summary, result.Summary);
    }

    [Fact]
    public async Task Output_keeps_only_the_tail_of_a_noisy_command()
    {
        var result = await _runner.RunAsync("head -c 1000000 /dev/zero | tr '\\0' x; echo; echo last line", Generous, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.InRange(result.Output.Length, 64 * 1024, (64 * 1024) + 100);
        Assert.StartsWith("[", result.Output);
        Assert.Contains("earlier characters dropped]\nxxx", result.Output);
        Assert.EndsWith("x\nlast line\n", result.Output);
        Assert.Equal("exit 0: last line", result.Summary);
    }

    [Fact]
    public async Task A_signal_death_is_a_failure()
    {
        var result = await _runner.RunAsync("kill -KILL $$", Generous, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.TimedOut);
        Assert.Equal(137, result.ExitCode);
    }

    [Fact]
    public async Task Timeout_must_be_positive()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _runner.RunAsync("true", TimeSpan.Zero, CancellationToken.None));
    }

    private static int GroupOf(CommandResult result) => int.Parse(result.Output.Split('\n')[0], CultureInfo.InvariantCulture);
}

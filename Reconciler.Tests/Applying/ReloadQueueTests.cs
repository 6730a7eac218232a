using Reconciler.Actors.Applying;
using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;

namespace Reconciler.Tests.Applying;

/// <summary>The one serialised, coalescing queue of reload commands and runtime changes, with real commands.</summary>
public sealed class ReloadQueueTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static readonly string[] Commands = ["a", "b", "c"];

    private readonly TempFolder _folder = new();
    private readonly ReloadQueue _queue = new(new CommandRunner(), TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Requests_arriving_while_a_reload_runs_coalesce_into_one_more_run()
    {
        var (command, runs, gate) = GatedCommand();
        var first = _queue.ReloadAsync(command, null, "t", CancellationToken.None);
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(runs)), Deadline, () => "the first run started");
        var waiting = Enumerable.Range(0, 4).Select(_ => _queue.ReloadAsync(command, null, "t", CancellationToken.None)).ToList();

        File.WriteAllText(gate, "");
        var results = await Task.WhenAll([first, .. waiting]).WaitAsync(Deadline);

        Assert.All(results, r => Assert.True(r.Result.Succeeded));
        Assert.Equal(2, File.ReadAllLines(runs).Length); // the running one predates the new files: one more run for the four
        Assert.Equal(1, results[0].Templates);
        Assert.All(results.Skip(1), r => Assert.Equal((4, results[1].Number), (r.Templates, r.Number)));
    }

    [Fact]
    public async Task Different_commands_run_one_at_a_time_in_order()
    {
        var log = _folder["log"];
        var runs = Commands.Select(name => _queue.ReloadAsync($"echo {name}-start >> '{log}'; sleep 0.05; echo {name}-end >> '{log}'", null, name, CancellationToken.None)).ToList();

        await Task.WhenAll(runs).WaitAsync(Deadline);

        Assert.Equal(["a-start", "a-end", "b-start", "b-end", "c-start", "c-end"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task A_failing_reload_reports_exit_code_and_output_and_a_hanging_one_is_killed_at_the_timeout()
    {
        _queue.CommandTimeout = TimeSpan.FromMilliseconds(300);

        var failed = (await _queue.ReloadAsync("echo nope >&2; exit 5", null, "t", CancellationToken.None).WaitAsync(Deadline)).Result;
        var hung = (await _queue.ReloadAsync("sleep 60", null, "t", CancellationToken.None).WaitAsync(Deadline)).Result;

        Assert.Equal((5, "nope\n"), (failed.ExitCode, failed.Output));
        Assert.True(hung.TimedOut);
        Assert.False(hung.Succeeded);
    }

    [Fact]
    public async Task A_batchs_reload_waits_until_every_template_of_it_arrived_and_runs_once_for_all()
    {
        var runs = _folder["runs"];
        var command = $"echo run >> '{runs}'";
        var batch = new ReloadBatch(["a", "b", "c"], TimeSpan.FromMinutes(1));

        var a = _queue.ReloadAsync(command, batch, "a", CancellationToken.None);
        var b = _queue.ReloadAsync(command, batch, "b", CancellationToken.None);
        await Task.Delay(200); // nothing may run meanwhile: c has not arrived
        Assert.False(File.Exists(runs));
        batch.Arrive("c"); // c needed no reload

        var results = await Task.WhenAll(a, b).WaitAsync(Deadline);

        Assert.Single(File.ReadAllLines(runs));
        Assert.All(results, r => Assert.Equal(2, r.Templates));
    }

    [Fact]
    public async Task A_batch_whose_template_never_arrives_reloads_after_its_patience()
    {
        var batch = new ReloadBatch(["a", "gone"], TimeSpan.FromMilliseconds(300));

        var run = await _queue.ReloadAsync("true", batch, "a", CancellationToken.None).WaitAsync(Deadline);

        Assert.True(run.Result.Succeeded);
        Assert.True(batch.IsSettled);
    }

    [Fact]
    public async Task A_waiting_batch_does_not_hold_up_other_work()
    {
        var batch = new ReloadBatch(["a", "late"], TimeSpan.FromMinutes(1));
        var held = _queue.ReloadAsync("true", batch, "a", CancellationToken.None);

        var other = await _queue.ReloadAsync("true", null, "other", CancellationToken.None).WaitAsync(Deadline);

        Assert.True(other.Result.Succeeded);
        Assert.False(held.IsCompleted);
        batch.Arrive("late");
        await held.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Min_reload_interval_spaces_runs_of_one_command_and_what_arrives_meanwhile_joins_the_next()
    {
        var runs = _folder["runs"];
        var command = $"date +%s%N >> '{runs}'";
        _queue.MinReloadInterval = TimeSpan.FromMilliseconds(600);

        await _queue.ReloadAsync(command, null, "t", CancellationToken.None).WaitAsync(Deadline);
        var next = Enumerable.Range(0, 3).Select(_ => _queue.ReloadAsync(command, null, "t", CancellationToken.None)).ToList();
        var other = await _queue.ReloadAsync("true", null, "other", CancellationToken.None).WaitAsync(Deadline);
        Assert.False(next[0].IsCompleted); // another command is not held up by this one's interval
        await Task.WhenAll(next).WaitAsync(Deadline);

        var starts = File.ReadAllLines(runs).Select(long.Parse).ToList();
        Assert.Equal(2, starts.Count);
        Assert.True(starts[1] - starts[0] >= 550_000_000, $"second run {(starts[1] - starts[0]) / 1_000_000} ms after the first");
        Assert.True(other.Result.Succeeded);
    }

    [Fact]
    public async Task A_runtime_change_past_its_bound_is_cancelled_and_the_queue_moves_on()
    {
        var stuck = _queue.RunAsync<int>("runtime change", async token => { await Task.Delay(Timeout.Infinite, token); return 0; }, TimeSpan.FromMilliseconds(200), CancellationToken.None);
        var after = _queue.ReloadAsync("true", null, "t", CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck.WaitAsync(Deadline));
        Assert.True((await after.WaitAsync(Deadline)).Result.Succeeded);
    }

    [Fact]
    public async Task What_runs_is_visible_for_the_watchdog_with_its_bound()
    {
        var (command, runs, gate) = GatedCommand();
        var run = _queue.ReloadAsync(command, null, "t", CancellationToken.None);
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(runs)), Deadline, () => "the run started");

        var activity = _queue.Activity;

        Assert.NotNull(activity);
        Assert.Contains("reload-cmd", activity.What);
        Assert.Equal(TimeSpan.FromSeconds(20), activity.Bound);
        Assert.False(activity.IsStuck);
        File.WriteAllText(gate, "");
        await run.WaitAsync(Deadline);
        await Poll.UntilAsync(() => Task.FromResult(_queue.Activity is null), Deadline, () => "the queue idle");
    }

    [Fact]
    public async Task Disposing_kills_what_runs_and_fails_what_waits()
    {
        var (command, runs, _) = GatedCommand();
        var running = _queue.ReloadAsync(command, null, "t", CancellationToken.None);
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(runs)), Deadline, () => "the run started");
        var waiting = _queue.ReloadAsync("true", null, "other", CancellationToken.None);

        await _queue.DisposeAsync().AsTask().WaitAsync(Deadline);

        Assert.True((await running).Result.Cancelled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    /// <summary>A command that notes each run and then waits until the test creates the gate file.</summary>
    private (string Command, string Runs, string Gate) GatedCommand()
    {
        var (runs, gate) = (_folder["runs"], _folder["gate"]);
        return ($"echo run >> '{runs}'; while [ ! -e '{gate}' ]; do sleep 0.01; done", runs, gate);
    }
}

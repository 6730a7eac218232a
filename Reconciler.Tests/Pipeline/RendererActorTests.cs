using System.Runtime.Versioning;
using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Pipeline;

/// <summary>
/// One renderer with real files, check and reload commands (the reload queue runs them), its results read from the
/// event stream. Virtual time drives the retry backoff. Tests that count check runs as applies have quarantine off:
/// with it, a refused check is followed by one with every change set back.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class RendererActorTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly RetryBackoff Backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), RandomFactor: 0);
    private static readonly DesiredState Two = StateOf(5, ("a", "1"), ("b", "2"));

    private readonly TempFolder _folder = new();
    private readonly ApplyHarness _apply = new();
    private readonly string _dest;
    private readonly string _reloads;
    private readonly TestProbe _events;

    public RendererActorTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
        _dest = _folder["app.cfg"];
        _reloads = _folder["reloads"];
        _events = CreateTestProbe("events");
        Sys.EventStream.Subscribe(_events.Ref, typeof(TemplateReconciled));
    }

    /// <summary>Appends the live file's first line to the reloads file: what the service was reloaded with.</summary>
    private string Reload => $"head -n 1 {Quote(_dest)} >> {Quote(_reloads)}";

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _apply.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public void A_written_file_is_reloaded_and_reported_once_with_the_reload_result()
    {
        var renderer = Renderer(Definition(_dest, reload: Reload));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));

        var reconciled = _events.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.Equal(5, reconciled.Outcome.Revision);
        Assert.Equal<string>(["/apps/a", "/apps/b"], reconciled.Outcome.Change.Added);
        Assert.True(reconciled.Reload!.Succeeded);
        Assert.Equal(["/apps/a=1"], File.ReadAllLines(_reloads));
        Assert.Equal(["app.cfg", "reloads"], _folder.FileNames()); // nothing owed
        _events.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Unchanged_output_and_a_template_without_reload_command_reload_nothing()
    {
        File.WriteAllText(_dest, Rendered(Two));
        File.SetUnixFileMode(_dest, Mode0644);
        Renderer(Definition(_dest, reload: Reload)).Tell(new RenderRequested(Two, Added("a")));
        Assert.Equal(ReconcileStatus.Unchanged, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);

        var other = _folder["other.cfg"];
        Renderer(Definition(other, reload: "", name: "other")).Tell(new RenderRequested(Two, Added("a")));
        var written = _events.ExpectMsg<TemplateReconciled>(Slow);

        Assert.Equal(ReconcileStatus.Written, written.Outcome.Status);
        Assert.Null(written.Reload);
        Assert.False(File.Exists(_reloads));
    }

    [Fact]
    public void Requests_arriving_while_busy_collapse_into_one_apply_of_the_latest_state()
    {
        var (check, runs, gate) = GatedCheck();
        var renderer = Renderer(Definition(_dest, check: check, reload: Reload));
        var latest = StateOf(3, ("a", "1"), ("b", "2"), ("c", "3"));

        renderer.Tell(new RenderRequested(StateOf(1, ("a", "1")), Added("a")));
        AwaitCondition(() => File.Exists(runs), Slow);
        renderer.Tell(new RenderRequested(StateOf(2, ("a", "1"), ("b", "2")), Added("b")));
        renderer.Tell(new RenderRequested(latest, Added("c")));
        File.WriteAllText(gate, "");

        Assert.Equal(1, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
        var second = _events.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(3, second.Outcome.Revision);
        Assert.Equal<string>(["/apps/b", "/apps/c"], second.Outcome.Change.Added);
        Assert.Equal(Rendered(latest), File.ReadAllText(_dest));
        _events.ExpectNoMsg(Quiet);
        Assert.Equal(2, File.ReadAllLines(_reloads).Length);
    }

    [Fact]
    public void A_failed_apply_is_retried_after_the_backoff_with_the_change_it_never_applied()
    {
        var runs = _folder["runs"];
        var accept = _folder["accept"];
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; test -e {Quote(accept)}", reload: Reload) with { Quarantine = QuarantineSettings.Off });

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));

        Assert.Equal(ReconcileStatus.CheckFailed, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Settled(renderer);
        File.WriteAllText(accept, "");
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        _events.ExpectNoMsg(Quiet);
        Assert.Single(File.ReadAllLines(runs));

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var retried = _events.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, retried.Outcome.Status);
        Assert.Equal<string>(["/apps/a", "/apps/b"], retried.Outcome.Change.Added);
        Assert.True(retried.Reload!.Succeeded);
    }

    [Fact]
    public void Repeated_failures_back_off_exponentially_and_a_new_request_cancels_the_pending_retry()
    {
        var runs = _folder["runs"];
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; false") with { Quarantine = QuarantineSettings.Off });

        renderer.Tell(new RenderRequested(Two, Added("a")));
        Assert.Equal(ReconcileStatus.CheckFailed, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Settled(renderer);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReconcileStatus.CheckFailed, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Settled(renderer);

        // the second retry waits 2 s
        Clock.Advance(TimeSpan.FromMilliseconds(1999));
        _events.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ReconcileStatus.CheckFailed, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Settled(renderer);

        // a request in the meantime applies at once; its failure (the 4th) moves the retry to 8 s
        renderer.Tell(new RenderRequested(StateOf(6, ("a", "2")), Added("x")));
        Assert.Equal(6, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
        Settled(renderer);
        Clock.Advance(TimeSpan.FromSeconds(4));
        _events.ExpectNoMsg(Quiet);
        Assert.Equal(4, File.ReadAllLines(runs).Length);
    }

    [Fact]
    public void A_failed_reload_is_owed_and_retried_after_the_backoff_though_the_file_is_unchanged()
    {
        var allow = _folder["allow"];
        var renderer = Renderer(Definition(_dest, reload: $"test -e {Quote(allow)} && {Reload}"));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        Assert.False(_events.ExpectMsg<TemplateReconciled>(Slow).Reload!.Succeeded);
        Settled(renderer);
        File.WriteAllText(allow, "");
        Clock.Advance(TimeSpan.FromSeconds(1));

        var paid = _events.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, paid.Outcome.Status);
        Assert.True(paid.Reload!.Succeeded);

        // paid: the next unchanged apply reloads nothing
        renderer.Tell(new RenderRequested(StateOf(7, ("a", "1"), ("b", "2")), StateChange.None));
        Assert.Null(_events.ExpectMsg<TemplateReconciled>(Slow).Reload);
        Assert.Single(File.ReadAllLines(_reloads));
    }

    [Fact]
    public void A_render_stopped_at_its_limit_keeps_dest_and_waits_for_a_change_or_a_configuration_reload()
    {
        File.WriteAllText(_dest, "live\n");
        var renderer = Renderer(Definition(_dest, reload: Reload) with { MaxOutputBytes = 10 });

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));

        var failed = _events.ExpectMsg<TemplateReconciled>(Slow).Outcome;
        Assert.Equal(ReconcileStatus.RenderFailed, failed.Status);
        Assert.EndsWith("output passed 10 bytes (max-output-bytes)", failed.Error);
        Assert.Equal("live\n", File.ReadAllText(_dest));
        Settled(renderer);
        Clock.Advance(TimeSpan.FromMinutes(5)); // no backoff retry: the same state would hit the limit again
        _events.ExpectNoMsg(Quiet);

        renderer.Tell(RetryFailed.Instance); // a configuration reload that kept the template
        Assert.Equal(ReconcileStatus.RenderFailed, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        renderer.Tell(new RenderRequested(StateOf(6, ("a", "1"), ("b", "3")), Added("x")));
        Assert.Equal(6, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
    }

    [Fact]
    public void A_configuration_reload_while_a_failing_apply_runs_tries_it_once_more_at_once()
    {
        var (check, runs, gate) = GatedCheck();
        var renderer = Renderer(Definition(_dest, check: check + "; false", reload: Reload));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        AwaitCondition(() => File.Exists(runs), Slow);
        renderer.Tell(RetryFailed.Instance); // SIGHUP while the check runs
        File.WriteAllText(gate, "");

        Assert.Equal(ReconcileStatus.CheckFailed, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Assert.Equal(ReconcileStatus.CheckFailed, _events.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status); // no backoff: the clock has not moved
        _events.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_configuration_reload_retries_nothing_after_a_success()
    {
        var renderer = Renderer(Definition(_dest));
        renderer.Tell(new RenderRequested(Two, Added("a")));
        _events.ExpectMsg<TemplateReconciled>(Slow);

        renderer.Tell(RetryFailed.Instance);

        _events.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Drain_while_busy_answers_only_after_the_check_and_the_reload_finished_and_takes_no_new_work()
    {
        var (check, runs, gate) = GatedCheck();
        var drainer = CreateTestProbe();
        var renderer = Renderer(Definition(_dest, check: check, reload: Reload));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        AwaitCondition(() => File.Exists(runs), Slow);
        renderer.Tell(Drain.Instance, drainer.Ref);
        drainer.ExpectNoMsg(Quiet); // the check is still running
        File.WriteAllText(gate, "");

        drainer.ExpectMsg<Drained>(Slow);
        Assert.True(_events.ExpectMsg<TemplateReconciled>(Slow).Reload!.Succeeded);
        renderer.Tell(new RenderRequested(StateOf(6, ("a", "2")), Added("x")));
        _events.ExpectNoMsg(Quiet);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
        renderer.Tell(Drain.Instance, drainer.Ref);
        drainer.ExpectMsg<Drained>(Slow);
    }

    [Fact]
    public void Drain_during_a_runaway_render_abandons_the_render_at_once()
    {
        var spinning = Definition(_dest, reload: Reload) with { RenderTimeout = TimeSpan.FromMinutes(5) };
        var renderer = Renderer(spinning, "{{ while true }}{{ end }}");
        renderer.Tell(new RenderRequested(Two, Added("a")));

        renderer.Tell(Drain.Instance);

        ExpectMsg<Drained>(Slow);
        var abandoned = _events.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.RenderFailed, abandoned.Outcome.Status);
        Assert.Equal("abandoned: shutting down", abandoned.Outcome.Error);
        Assert.False(File.Exists(_dest));
    }

    [Fact]
    public void Drain_while_idle_or_with_a_retry_pending_answers_at_once_and_cancels_the_retry()
    {
        var runs = _folder["runs"];
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; false") with { Quarantine = QuarantineSettings.Off });
        renderer.Tell(new RenderRequested(Two, Added("a")));
        _events.ExpectMsg<TemplateReconciled>(Slow);

        renderer.Tell(Drain.Instance);
        ExpectMsg<Drained>(TimeSpan.FromSeconds(3));

        Clock.Advance(TimeSpan.FromSeconds(30));
        _events.ExpectNoMsg(Quiet);
        Assert.Single(File.ReadAllLines(runs));
    }

    [Fact]
    public void A_retired_renderer_finishes_its_apply_then_stops_and_its_successor_waits_for_the_dest_and_owes_nothing()
    {
        var (check, runs, gate) = GatedCheck();
        var old = Renderer(Definition(_dest, check: check, reload: Reload));
        Watch(old);
        old.Tell(new RenderRequested(Two, Added("a", "b")));
        AwaitCondition(() => File.Exists(runs), Slow);

        old.Tell(Retire.Instance);
        var successor = Renderer(Definition(_dest, reload: Reload), predecessor: old);
        successor.Tell(new RenderRequested(Two, StateChange.None));
        _events.ExpectNoMsg(Quiet); // the successor waits: its predecessor still checks the same dest
        File.WriteAllText(gate, "");

        // The dest is free once the predecessor's apply ends, before its result crosses its mailbox: the two results
        // may be published in either order.
        var results = new[] { _events.ExpectMsg<TemplateReconciled>(Slow), _events.ExpectMsg<TemplateReconciled>(Slow) };
        var first = Assert.Single(results, r => r.Outcome.Status == ReconcileStatus.Written);
        Assert.True(first.Reload!.Succeeded); // the predecessor's, reported
        ExpectTerminated(old, Slow);
        var taken = Assert.Single(results, r => r.Outcome.Status != ReconcileStatus.Written);
        Assert.Equal(ReconcileStatus.Unchanged, taken.Outcome.Status);
        Assert.Null(taken.Reload); // the predecessor's reload succeeded: nothing owed, no second run
        Assert.Single(File.ReadAllLines(_reloads));
    }

    [Fact]
    public void A_successor_retired_while_it_waits_stops_only_once_its_predecessor_did_so_its_own_successor_waits_as_long()
    {
        var (check, _, gate) = GatedCheck();
        var first = Renderer(Definition(_dest, check: check, reload: Reload));
        first.Tell(new RenderRequested(Two, Added("a", "b")));
        AwaitCondition(() => File.Exists(_folder["runs"]), Slow);
        first.Tell(Retire.Instance);
        var second = Renderer(Definition(_dest, reload: Reload), predecessor: first);
        Watch(second);
        second.Tell(Retire.Instance);

        var third = Renderer(Definition(_dest, reload: Reload), predecessor: second);
        third.Tell(new RenderRequested(Two, StateChange.None));

        _events.ExpectNoMsg(Quiet); // the first still checks the dest: the third waits for it through the second
        ExpectNoMsg(Quiet);
        File.WriteAllText(gate, "");
        ExpectTerminated(second, Slow);
        var results = new[] { _events.ExpectMsg<TemplateReconciled>(Slow), _events.ExpectMsg<TemplateReconciled>(Slow) };
        Assert.Equal([ReconcileStatus.Written, ReconcileStatus.Unchanged], results.Select(r => r.Outcome.Status));
        Assert.Single(File.ReadAllLines(_reloads));
    }

    [Fact]
    public void A_successor_pays_the_reload_its_predecessor_left_owed()
    {
        var allow = _folder["allow"];
        var reload = $"test -e {Quote(allow)} && {Reload}";
        var old = Renderer(Definition(_dest, reload: reload));
        old.Tell(new RenderRequested(Two, Added("a", "b")));
        Assert.False(_events.ExpectMsg<TemplateReconciled>(Slow).Reload!.Succeeded);
        old.Tell(Retire.Instance);
        File.WriteAllText(allow, "");

        Renderer(Definition(_dest, reload: reload)).Tell(new RenderRequested(Two, StateChange.None));

        var paid = _events.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, paid.Outcome.Status);
        Assert.True(paid.Reload!.Succeeded);
    }

    [Fact]
    public void Waiting_in_the_reload_queue_behind_another_templates_long_run_is_not_reported_stuck()
    {
        var gate = _folder["gate"];
        var busy = _apply.Reloader.Ask<ReloadRun>(new ReloadRequested($"while [ ! -e {Quote(gate)} ]; do sleep 0.01; done", null, "other"));
        var renderer = Renderer(Definition(_dest, reload: Reload) with { RenderTimeout = TimeSpan.FromMilliseconds(100) });
        renderer.Tell(new RenderRequested(Two, Added("a")));
        AwaitCondition(() => File.Exists(_dest), Slow);

        AwaitAssert(
            () =>
            {
                renderer.Tell(GetRendererProgress.Instance);
                var progress = ExpectMsg<RendererProgress>(Slow);
                Assert.StartsWith("reload", progress.Step);
                Assert.True(progress.For > TimeSpan.FromMilliseconds(300), $"in the queue for {progress.For}");
                Assert.False(progress.Stuck);
            },
            Slow);

        File.WriteAllText(gate, "");
        Assert.True(_events.ExpectMsg<TemplateReconciled>(Slow).Reload!.Succeeded);
        renderer.Tell(GetRendererProgress.Instance);
        Assert.Equal("idle", ExpectMsg<RendererProgress>(Slow).Step);
        Assert.True(busy.IsCompleted);
    }

    private IActorRef Renderer(TemplateDefinition definition, string source = KeyLines, IActorRef? predecessor = null) =>
        Sys.ActorOf(RendererActor.Props(_apply.Applier(definition, source), _apply.Reloader, Backoff, NullLogger.Instance, predecessor));

    /// <summary>A check that notes each run, then waits until the test creates the gate file.</summary>
    private (string Check, string Runs, string Gate) GatedCheck()
    {
        var (runs, gate) = (_folder["runs"], _folder["gate"]);
        return ($"echo run >> {Quote(runs)}; while [ ! -e {Quote(gate)} ]; do sleep 0.01; done", runs, gate);
    }

    /// <summary>A round trip through the mailbox: everything sent before was handled (timers armed).</summary>
    private void Settled(IActorRef actor)
    {
        actor.Tell(new Identify("settled"));
        ExpectMsg<ActorIdentity>(Slow);
    }
}

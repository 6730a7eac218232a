using System.Runtime.Versioning;
using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Pipeline;

/// <summary>
/// One renderer with real files and check commands, a probe as its reloader and a probe as its parent
/// (which receives <see cref="TemplateReconciled"/>). Virtual time drives the retry backoff.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class RendererActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string ReloadCommand = "systemctl reload app";
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly RetryBackoff Backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), RandomFactor: 0);
    private static readonly CommandResult ReloadOk = new(0, "", TimeSpan.FromMilliseconds(5), TimedOut: false);
    private static readonly CommandResult ReloadBroken = new(1, "Job for app.service failed", TimeSpan.FromMilliseconds(5), TimedOut: false);
    private static readonly DesiredState Two = StateOf(5, ("a", "1"), ("b", "2"));

    private readonly TempFolder _folder = new();
    private readonly string _dest;
    private readonly TestProbe _reloader;
    private readonly TestProbe _parent;

    public RendererActorTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
        _dest = _folder["app.cfg"];
        _reloader = CreateTestProbe("reloader");
        _parent = CreateTestProbe("parent");
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    void IDisposable.Dispose()
    {
        base.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void A_written_file_is_reloaded_and_reported_with_the_reload_result()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(TemplateReconciled));
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));

        var request = _reloader.ExpectMsg<ReloadRequested>(Slow);
        Assert.Equal(new ReloadRequested("t", ReloadCommand), request);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
        _parent.ExpectNoMsg(Quiet); // not reported before the reload finished

        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));

        var reconciled = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.Equal(5, reconciled.Outcome.Revision);
        Assert.Equal<string>(["/apps/a", "/apps/b"], reconciled.Outcome.Change.Added);
        Assert.Equal(ReloadOk, reconciled.Reload);
        Assert.Equal(reconciled, events.ExpectMsg<TemplateReconciled>(Slow));
    }

    [Fact]
    public void Unchanged_output_asks_for_no_reload()
    {
        File.WriteAllText(_dest, Rendered(Two));
        File.SetUnixFileMode(_dest, Mode0644);
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand));

        renderer.Tell(new RenderRequested(Two, Added("a")));

        var reconciled = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, reconciled.Outcome.Status);
        Assert.Null(reconciled.Reload);
        _reloader.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_template_without_reload_command_is_reported_at_once()
    {
        var renderer = Renderer(Definition(_dest, reload: ""));

        renderer.Tell(new RenderRequested(Two, Added("a")));

        var reconciled = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.Null(reconciled.Reload);
        _reloader.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Requests_arriving_while_busy_collapse_into_one_reconcile_of_the_latest_state()
    {
        var runs = _folder["runs"];
        var gate = _folder["gate"];
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; while [ ! -e {Quote(gate)} ]; do sleep 0.01; done", reload: ReloadCommand));
        var latest = StateOf(3, ("a", "1"), ("b", "2"), ("c", "3"));

        renderer.Tell(new RenderRequested(StateOf(1, ("a", "1")), Added("a")));
        AwaitCondition(() => File.Exists(runs), Slow);
        renderer.Tell(new RenderRequested(StateOf(2, ("a", "1"), ("b", "2")), Added("b")));
        renderer.Tell(new RenderRequested(latest, Added("c")));
        File.WriteAllText(gate, "");

        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var first = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(1, first.Outcome.Revision);

        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var second = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(3, second.Outcome.Revision);
        Assert.Equal(ReconcileStatus.Written, second.Outcome.Status);
        Assert.Equal<string>(["/apps/b", "/apps/c"], second.Outcome.Change.Added);
        Assert.Equal(Rendered(latest), File.ReadAllText(_dest));

        _parent.ExpectNoMsg(Quiet);
        _reloader.ExpectNoMsg(TimeSpan.Zero);
        Assert.Equal(2, File.ReadAllLines(runs).Length);
    }

    [Fact]
    public void A_failed_reconcile_is_retried_after_the_backoff_without_a_new_request()
    {
        var runs = _folder["runs"];
        var accept = _folder["accept"];
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; test -e {Quote(accept)}", reload: ReloadCommand));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));

        var failed = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.CheckFailed, failed.Outcome.Status);
        Settled(renderer);
        File.WriteAllText(accept, "");

        Clock.Advance(TimeSpan.FromMilliseconds(999));
        _parent.ExpectNoMsg(Quiet);
        Assert.Single(File.ReadAllLines(runs));
        Assert.False(File.Exists(_dest));

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var retried = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, retried.Outcome.Status);
        Assert.Equal<string>(["/apps/a", "/apps/b"], retried.Outcome.Change.Added); // the change that was never applied
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
        Assert.Equal(2, File.ReadAllLines(runs).Length);
    }

    [Fact]
    public void Repeated_failures_back_off_exponentially_and_a_new_request_cancels_the_pending_retry()
    {
        var runs = _folder["runs"];
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; false"));

        renderer.Tell(new RenderRequested(Two, Added("a")));
        Assert.Equal(ReconcileStatus.CheckFailed, _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Settled(renderer);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReconcileStatus.CheckFailed, _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Settled(renderer);

        // the second retry waits 2 s
        Clock.Advance(TimeSpan.FromMilliseconds(1999));
        _parent.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ReconcileStatus.CheckFailed, _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);
        Settled(renderer);
        Assert.Equal(3, File.ReadAllLines(runs).Length);

        // a request in the meantime reconciles at once; its failure (the 4th) moves the retry to 8 s
        renderer.Tell(new RenderRequested(StateOf(6, ("a", "2")), Added("x")));
        Assert.Equal(6, _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
        Settled(renderer);
        Clock.Advance(TimeSpan.FromSeconds(4));
        _parent.ExpectNoMsg(Quiet);
        Assert.Equal(4, File.ReadAllLines(runs).Length);
    }

    [Fact]
    public void A_failed_reload_is_owed_until_a_later_reconcile_pays_it_even_when_unchanged()
    {
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadBroken));
        var failed = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReloadBroken, failed.Reload);
        Assert.True(NewReconciler(Definition(_dest, reload: ReloadCommand)).ReloadOwed); // a restart would still owe it

        renderer.Tell(new RenderRequested(StateOf(6, ("a", "1"), ("b", "2")), StateChange.None));

        Assert.Equal(new ReloadRequested("t", ReloadCommand), _reloader.ExpectMsg<ReloadRequested>(Slow));
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var paid = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, paid.Outcome.Status);
        Assert.Equal(ReloadOk, paid.Reload);
        Assert.False(NewReconciler(Definition(_dest, reload: ReloadCommand)).ReloadOwed);

        // paid: the next unchanged reconcile reloads nothing
        renderer.Tell(new RenderRequested(StateOf(7, ("a", "1"), ("b", "2")), StateChange.None));
        Assert.Null(_parent.ExpectMsg<TemplateReconciled>(Slow).Reload);
        _reloader.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_failed_reload_is_retried_after_the_backoff_without_a_new_request()
    {
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand));
        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadBroken));
        _parent.ExpectMsg<TemplateReconciled>(Slow);
        Settled(renderer);

        Clock.Advance(TimeSpan.FromMilliseconds(999));
        _reloader.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var paid = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, paid.Outcome.Status);
        Assert.Equal(ReloadOk, paid.Reload);
    }

    [Fact]
    public void After_a_failed_reload_the_previous_file_is_restored_and_reloaded()
    {
        File.WriteAllText(_dest, "previous\n");
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand, rollback: true));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadBroken));

        Assert.Equal(new ReloadRequested("t", ReloadCommand), _reloader.ExpectMsg<ReloadRequested>(Slow));
        Assert.Equal("previous\n", File.ReadAllText(_dest));
        Assert.Equal([".app.cfg.reconciler-reload-owed", "app.cfg"], _folder.FileNames()); // no staged file; the reload still owed
        _parent.ExpectNoMsg(Quiet); // reported once the restored file is reloaded
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));

        var reconciled = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.Equal(ReloadBroken, reconciled.Reload);
        Assert.Equal(["app.cfg"], _folder.FileNames()); // the restored file is reloaded: nothing owed
        _reloader.ExpectNoMsg(Quiet);
    }

    [Theory]
    [InlineData(false, true)] // rollback asked for, but there is no previous file to go back to
    [InlineData(true, false)] // a previous file, but no rollback asked for
    public void A_failed_reload_keeps_the_new_file_without_rollback_or_without_a_previous_file(bool previousFile, bool rollback)
    {
        if (previousFile)
        {
            File.WriteAllText(_dest, "previous\n");
        }

        var renderer = Renderer(Definition(_dest, reload: ReloadCommand, rollback: rollback));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadBroken));

        Assert.Equal(ReloadBroken, _parent.ExpectMsg<TemplateReconciled>(Slow).Reload);
        _reloader.ExpectNoMsg(Quiet);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public void Drain_while_busy_answers_only_after_the_reconcile_and_its_reload_finished()
    {
        var runs = _folder["runs"];
        var gate = _folder["gate"];
        var drainer = CreateTestProbe();
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; while [ ! -e {Quote(gate)} ]; do sleep 0.01; done", reload: ReloadCommand));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));
        AwaitCondition(() => File.Exists(runs), Slow);
        renderer.Tell(Drain.Instance, drainer.Ref);
        drainer.ExpectNoMsg(Quiet); // the check is still running

        File.WriteAllText(gate, "");
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        drainer.ExpectNoMsg(Quiet); // the reload is still running
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));

        drainer.ExpectMsg<Drained>(Slow);
        Assert.Equal(ReloadOk, _parent.ExpectMsg<TemplateReconciled>(Slow).Reload);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));

        // drained: no new work is taken
        renderer.Tell(new RenderRequested(StateOf(6, ("a", "2")), Added("x")));
        _parent.ExpectNoMsg(Quiet);
        _reloader.ExpectNoMsg(TimeSpan.Zero);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
        renderer.Tell(Drain.Instance, drainer.Ref);
        drainer.ExpectMsg<Drained>(Slow);
    }

    [Fact]
    public void A_render_stopped_at_its_limit_keeps_dest_and_waits_for_a_change_or_a_configuration_reload()
    {
        File.WriteAllText(_dest, "live\n");
        var limited = Definition(_dest, reload: ReloadCommand) with { MaxOutputBytes = 10 };
        var renderer = _parent.ChildActorOf(RendererActor.Props(NewReconciler(limited), _reloader.Ref, Backoff, NullLogger.Instance));

        renderer.Tell(new RenderRequested(Two, Added("a", "b")));

        var failed = _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome;
        Assert.Equal(ReconcileStatus.RenderFailed, failed.Status);
        Assert.EndsWith("output passed 10 bytes (max-output-bytes)", failed.Error);
        Assert.Equal("live\n", File.ReadAllText(_dest));
        Settled(renderer);
        Clock.Advance(TimeSpan.FromMinutes(5)); // no backoff retry: the same state would hit the limit again
        _parent.ExpectNoMsg(Quiet);

        renderer.Tell(RetryFailed.Instance); // a configuration reload that kept the template
        Assert.Equal(ReconcileStatus.RenderFailed, _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status);

        renderer.Tell(new RenderRequested(StateOf(6, ("a", "1"), ("b", "3")), Added("x")));
        Assert.Equal(6, _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
        _reloader.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void A_configuration_reload_retries_nothing_after_a_success()
    {
        var renderer = Renderer(Definition(_dest, reload: ""));
        renderer.Tell(new RenderRequested(Two, Added("a")));
        _parent.ExpectMsg<TemplateReconciled>(Slow);

        renderer.Tell(RetryFailed.Instance);

        _parent.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_reload_without_an_answer_fails_after_the_command_timeout_plus_a_margin_and_stays_owed()
    {
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand));
        renderer.Tell(new RenderRequested(Two, Added("a")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        Settled(renderer);

        // commands.timeout is 20s, the margin 10s; each run the reloader starts meanwhile starts the wait over
        Clock.Advance(TimeSpan.FromSeconds(29));
        renderer.Tell(new ReloadPending(TimeSpan.FromSeconds(20)), _reloader.Ref);
        Settled(renderer);
        Clock.Advance(TimeSpan.FromSeconds(29));
        _parent.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromSeconds(1));

        var reconciled = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.False(reconciled.Reload!.Succeeded);
        Assert.Equal("timed out after 30s: no answer from the reloader", reconciled.Reload.Summary);

        // owed: the retry reloads though the file is unchanged, and a late answer to the first request is not taken for it
        renderer.Tell(new ReloadCompleted(ReloadCommand, ReloadOk), _reloader.Ref);
        Settled(renderer);
        Clock.Advance(TimeSpan.FromSeconds(1));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var retried = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, retried.Outcome.Status);
        Assert.True(retried.Reload!.Succeeded);
    }

    [Fact]
    public void A_reload_queued_behind_a_longer_run_of_another_template_is_not_reported_stuck()
    {
        // render-timeout 1s, commands.timeout 100ms: its own reconcile bound is 1.6s
        var definition = Definition(_dest, reload: ReloadCommand) with { RenderTimeout = TimeSpan.FromSeconds(1) };
        var renderer = _parent.ChildActorOf(
            RendererActor.Props(NewReconciler(definition, commandTimeout: TimeSpan.FromMilliseconds(100)), _reloader.Ref, Backoff, NullLogger.Instance));
        renderer.Tell(new RenderRequested(Two, Added("a")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);

        // another template's runtime change runs ahead of it, draining for up to its own drain-timeout
        renderer.Tell(new ReloadPending(TimeSpan.FromMinutes(5)), _reloader.Ref);
        Thread.Sleep(TimeSpan.FromSeconds(2.5)); // the watchdog's measure is a stopwatch, not the scheduler

        renderer.Tell(GetRendererProgress.Instance);
        var progress = ExpectMsg<RendererProgress>(Slow);
        Assert.True(progress.BusyFor > TimeSpan.FromSeconds(2));
        Assert.False(progress.Stuck, $"busy for {progress.BusyFor} within a bound of {progress.Bound}");

        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        Assert.True(_parent.ExpectMsg<TemplateReconciled>(Slow).Reload!.Succeeded);
        renderer.Tell(GetRendererProgress.Instance);
        Assert.Equal(new RendererProgress(null, TimeSpan.FromSeconds(1.6)), ExpectMsg<RendererProgress>(Slow));
    }

    [Fact]
    public void A_late_answer_to_an_unanswered_runtime_change_is_not_taken_for_the_answer_to_the_reload_that_follows()
    {
        File.WriteAllText(_dest, "backend app\n    server s1 10.0.0.1:80\n");
        var definition = Definition(_dest, reload: ReloadCommand) with
        {
            Runtime = new RuntimeSettings(RuntimeSettings.Haproxy, _folder["admin.sock"], [], TimeSpan.FromSeconds(30)),
        };
        const string source = "backend app\n{{ for kv in gets \"/apps/*\" }}    server {{ kv.value }}\n{{ end }}";
        var renderer = _parent.ChildActorOf(RendererActor.Props(NewReconciler(definition, source), _reloader.Ref, Backoff, NullLogger.Instance));
        renderer.Tell(new RenderRequested(StateOf(5, ("s1", "s1 10.0.0.2:80")), Added("s1")));
        _reloader.ExpectMsg<RuntimeApplyRequested>(Slow);
        Settled(renderer);

        // no answer within drain-timeout + commands.timeout + the margin (30s + 20s + 10s): a failed reload, owed
        Clock.Advance(TimeSpan.FromSeconds(60));
        var unanswered = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.False(unanswered.Reload!.Succeeded);

        // the retry reloads; the runtime change's late answer is not taken for the reload's
        Clock.Advance(TimeSpan.FromSeconds(1));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        renderer.Tell(new RuntimeApplyCompleted(RuntimeApplyResult.Done(4, TimeSpan.FromSeconds(55))), _reloader.Ref);
        _parent.ExpectNoMsg(Quiet);

        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var paid = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.True(paid.Reload!.Succeeded);
        Assert.Null(paid.Runtime);
    }

    [Fact]
    public void A_renderer_waiting_for_a_stopped_reloader_asks_its_replacement()
    {
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand));
        renderer.Tell(new RenderRequested(Two, Added("a")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        var replacement = CreateTestProbe("reloader-2");

        renderer.Tell(new ReloaderReplaced(replacement.Ref));

        Assert.Equal(new ReloadRequested("t", ReloadCommand), replacement.ExpectMsg<ReloadRequested>(Slow));
        replacement.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        Assert.True(_parent.ExpectMsg<TemplateReconciled>(Slow).Reload!.Succeeded);
    }

    [Fact]
    public void A_replacing_renderer_waits_for_its_busy_predecessor_and_takes_over_its_paid_reload()
    {
        var gate = _folder["gate"];
        var old = Renderer(Definition(_dest, check: $"while [ ! -e {Quote(gate)} ]; do sleep 0.01; done", reload: ReloadCommand));
        old.Tell(new RenderRequested(Two, Added("a", "b")));
        Watch(old);
        var successor = _parent.ChildActorOf(RendererActor.Props(NewReconciler(Definition(_dest, reload: ReloadCommand)), _reloader.Ref, Backoff, NullLogger.Instance, predecessor: old));

        successor.Tell(new RenderRequested(Two, StateChange.None));
        _parent.ExpectNoMsg(Quiet); // waits: the predecessor is still checking
        File.WriteAllText(gate, "");
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));

        Assert.Equal(ReconcileStatus.Written, _parent.ExpectMsg<TemplateReconciled>(Slow).Outcome.Status); // logged by the predecessor
        ExpectTerminated(old, Slow);
        var taken = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, taken.Outcome.Status);
        Assert.Null(taken.Reload); // the predecessor's reload succeeded: nothing owed, no second run
        _reloader.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_replacing_renderer_pays_the_reload_its_predecessor_left_owed()
    {
        var old = Renderer(Definition(_dest, reload: ReloadCommand));
        old.Tell(new RenderRequested(Two, Added("a", "b")));
        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadBroken));
        _parent.ExpectMsg<TemplateReconciled>(Slow);
        Settled(old);

        var successor = _parent.ChildActorOf(RendererActor.Props(NewReconciler(Definition(_dest, reload: ReloadCommand)), _reloader.Ref, Backoff, NullLogger.Instance, predecessor: old));
        successor.Tell(new RenderRequested(Two, StateChange.None));

        _reloader.ExpectMsg<ReloadRequested>(Slow);
        _reloader.Reply(new ReloadCompleted(ReloadCommand, ReloadOk));
        var paid = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Unchanged, paid.Outcome.Status);
        Assert.True(paid.Reload!.Succeeded);
    }

    [Fact]
    public void Drain_during_a_runaway_render_abandons_the_render_at_once()
    {
        var spinning = Definition(_dest, reload: ReloadCommand) with { RenderTimeout = TimeSpan.FromMinutes(5) };
        var renderer = _parent.ChildActorOf(RendererActor.Props(NewReconciler(spinning, "{{ while true }}{{ end }}"), _reloader.Ref, Backoff, NullLogger.Instance));
        renderer.Tell(new RenderRequested(Two, Added("a")));

        renderer.Tell(Drain.Instance);

        ExpectMsg<Drained>(Slow);
        var abandoned = _parent.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.RenderFailed, abandoned.Outcome.Status);
        Assert.Equal("abandoned: shutting down", abandoned.Outcome.Error);
        Assert.False(File.Exists(_dest));
    }

    [Fact]
    public void Drain_while_idle_answers_at_once()
    {
        var renderer = Renderer(Definition(_dest, reload: ReloadCommand));

        renderer.Tell(Drain.Instance);

        ExpectMsg<Drained>(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Drain_while_a_retry_is_pending_answers_at_once_and_cancels_the_retry()
    {
        var runs = _folder["runs"];
        var renderer = Renderer(Definition(_dest, check: $"echo run >> {Quote(runs)}; false"));
        renderer.Tell(new RenderRequested(Two, Added("a")));
        _parent.ExpectMsg<TemplateReconciled>(Slow);

        renderer.Tell(Drain.Instance);
        ExpectMsg<Drained>(TimeSpan.FromSeconds(3));

        Clock.Advance(TimeSpan.FromSeconds(30));
        _parent.ExpectNoMsg(Quiet);
        Assert.Single(File.ReadAllLines(runs));
    }

    private IActorRef Renderer(TemplateDefinition definition) =>
        _parent.ChildActorOf(RendererActor.Props(NewReconciler(definition), _reloader.Ref, Backoff, NullLogger.Instance));

    /// <summary>A round trip through the mailbox: everything sent before was handled (timers armed).</summary>
    private void Settled(IActorRef actor)
    {
        actor.Tell(new Identify("settled"));
        ExpectMsg<ActorIdentity>(Slow);
    }
}

using System.Runtime.Versioning;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Pipeline;

/// <summary>
/// The whole pipeline under <see cref="ReconcilerActor"/> with a fake backend: what its supervision does
/// when a renderer throws or the backend fails. Virtual time drives the watcher's backoff.
/// </summary>
/// <remarks>
/// A real reconcile does not throw: <see cref="TemplateReconciler"/> turns template, IO and command errors
/// into outcomes (Scriban wraps exceptions from template functions), so the only way a reconcile reaches
/// the renderer as a fault is a faulted task piped back as <see cref="Status.Failure"/>. The tests send
/// that message to a busy renderer, which is exactly what the renderer sees when its reconcile task faults.
/// </remarks>
[UnsupportedOSPlatform("windows")]
public sealed class SupervisionTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly TempFolder _folder = new();
    private readonly FakeKeyValueSource _source = new();
    private readonly string _dest;
    private readonly string _checks;
    private readonly string _hold;
    private readonly TestProbe _reconciled;

    public SupervisionTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
        _dest = _folder["app.cfg"];
        _checks = _folder["checks"];
        _hold = _folder["hold"];
        _reconciled = CreateTestProbe();
        Sys.EventStream.Subscribe(_reconciled.Ref, typeof(TemplateReconciled));
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>The check runs while the hold file exists, so a test can catch the renderer busy.</summary>
    private TemplateDefinition Template =>
        Definition(_dest, check: $"echo run >> {Quote(_checks)}; while [ -e {Quote(_hold)} ]; do sleep 0.01; done");

    void IDisposable.Dispose()
    {
        base.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void A_renderer_that_throws_is_restarted_and_the_desired_state_survives()
    {
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Error));
        var (_, watch) = Started(Settings(maxRestarts: 10));
        var renderer = Renderer();
        Watch(renderer);

        var busy = HoldNextCheck(watch, "b", "2", revision: 6);
        renderer.Tell(new Status.Failure(new IOException("simulated: the reconcile task faulted")));

        var error = errors.FishForMessage<Error>(e => e.Cause is InvalidOperationException, Slow);
        Assert.Contains("reconcile of t failed", error.Cause.Message);
        Assert.IsType<IOException>(error.Cause.InnerException);

        // the restart stopped the old instance: its running check was killed and its staged file removed
        AwaitCondition(() => _folder.FileNames().SequenceEqual(["app.cfg", "checks", "hold"]), Slow);
        Assert.Equal("/apps/a=1\n", File.ReadAllText(_dest));
        Assert.Equal(busy, File.ReadAllLines(_checks).Length);

        File.Delete(_hold);
        watch.Put("/apps/c", "3", 7);

        var reconciled = _reconciled.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.Equal(7, reconciled.Outcome.Revision);
        Assert.Equal("/apps/a=1\n/apps/b=2\n/apps/c=3\n", File.ReadAllText(_dest)); // b was folded in before the crash
        Assert.Equal(renderer, Renderer()); // the same actor, restarted in place
        ExpectNoMsg(Quiet); // no Terminated
    }

    [Fact]
    public void A_renderer_stopped_after_max_restarts_comes_back_with_a_configuration_reload()
    {
        var settings = Settings(maxRestarts: 0);
        var (root, watch) = Started(settings);
        var renderer = Renderer();
        Watch(renderer);
        HoldNextCheck(watch, "b", "2", revision: 6);

        renderer.Tell(new Status.Failure(new IOException("simulated: the reconcile task faulted")));

        ExpectTerminated(renderer, Slow);
        AwaitCondition(() => !RendererExists(), Slow);
        File.Delete(_hold);

        // reference.conf: "more than max-restarts within restart-window stops it until the next configuration reload"
        root.Tell(new ApplyConfiguration(settings, [NewReconciler(Template)]));

        var reconciled = _reconciled.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.Equal("/apps/a=1\n/apps/b=2\n", File.ReadAllText(_dest));
        watch.Put("/apps/c", "3", 7);
        Assert.Equal(7, _reconciled.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
    }

    [Fact]
    public async Task The_watchdog_probe_finds_every_actor_of_the_pipeline_answering_while_a_check_runs()
    {
        var (root, watch) = Started(Settings(maxRestarts: 10));
        HoldNextCheck(watch, "b", "2", revision: 6);

        var probed = await root.Ask<PipelineProbed>(new ProbePipeline(TimeSpan.FromSeconds(3)), Slow);

        Assert.True(probed.Alive, string.Join(", ", probed.Unresponsive));
        File.Delete(_hold);
        Assert.Equal(6, _reconciled.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
    }

    [Fact]
    public void A_reloader_stopped_after_max_restarts_is_replaced_and_the_waiting_renderer_asks_the_new_one()
    {
        var reloads = _folder["reloads"];
        var settings = Settings(maxRestarts: 0) with { Templates = [Template with { ReloadCommand = HeldReload(reloads) }] };
        var (_, watch) = Started(settings);
        var reloader = Resolve("/user/root/reloader")!;
        Watch(reloader);
        File.WriteAllText(_folder["reload-hold"], "");
        watch.Put("/apps/b", "2", 6);
        AwaitCondition(() => File.ReadAllLines(reloads).Length == 2, Slow);

        reloader.Tell(Kill.Instance);

        ExpectTerminated(reloader, Slow);
        _reconciled.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromSeconds(10)); // supervision.max-backoff
        AwaitCondition(() => File.ReadAllLines(reloads).Length == 3, Slow); // the new reloader runs the renderer's request
        Assert.NotNull(Resolve("/user/root/reloader-2"));
        File.Delete(_folder["reload-hold"]);

        var reconciled = _reconciled.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(6, reconciled.Outcome.Revision);
        Assert.True(reconciled.Reload!.Succeeded);
    }

    [Fact]
    public void A_stopped_reloader_is_replaced_at_once_by_a_configuration_reload()
    {
        var settings = Settings(maxRestarts: 0) with { Templates = [Template with { ReloadCommand = "true" }] };
        var (root, watch) = Started(settings);
        var reloader = Resolve("/user/root/reloader")!;
        Watch(reloader);
        reloader.Tell(Kill.Instance);
        ExpectTerminated(reloader, Slow);

        root.Tell(new ApplyConfiguration(settings, [NewReconciler(settings.Templates[0])]));

        AwaitCondition(() => Resolve("/user/root/reloader-2") is not null, Slow);
        watch.Put("/apps/b", "2", 6);
        Assert.True(_reconciled.ExpectMsg<TemplateReconciled>(Slow).Reload!.Succeeded);
    }

    [Fact]
    public async Task The_watchdog_probe_reports_a_renderer_stuck_past_its_bound()
    {
        // the renderer's commands.timeout is 200 ms: one reconcile may take render-timeout (200 ms) + a 200 ms check +
        // 2 × 400 ms waiting for a reload + 200 ms; the reloader announces its run with its own commands.timeout (3 s),
        // which the renderer then waits for, plus the margin. The reloader stops without answering (its replacement is
        // due on virtual time, as is the renderer's own wait for the answer, which stands still): the reconcile is stuck
        // past its bound.
        var reloads = _folder["reloads"];
        var template = Template with { ReloadCommand = HeldReload(reloads), RenderTimeout = TimeSpan.FromMilliseconds(200) };
        var settings = Settings(maxRestarts: 0) with { Templates = [template], CommandTimeout = TimeSpan.FromSeconds(3) };
        File.WriteAllText(_folder["reload-hold"], "");
        _source.OnRead = _ => FakeKeyValueSource.Snapshot(5, ("/apps/a", "1"));
        var root = Sys.ActorOf(
            ReconcilerActor.Props(settings, [NewReconciler(template, commandTimeout: TimeSpan.FromMilliseconds(200))], _ => _source, NullLoggerFactory.Instance),
            "root");
        AwaitCondition(() => File.Exists(reloads), Slow);
        var reloader = Resolve("/user/root/reloader")!;
        Watch(reloader);
        reloader.Tell(PoisonPill.Instance);
        ExpectTerminated(reloader, Slow);

        await Poll.UntilAsync(
            async () => !(await root.Ask<PipelineProbed>(new ProbePipeline(TimeSpan.FromSeconds(3)), Slow)).Alive,
            Slow,
            () => "the probe naming the stuck renderer");
        var probed = await root.Ask<PipelineProbed>(new ProbePipeline(TimeSpan.FromSeconds(3)), Slow);
        Assert.Matches(@"^renderer-t-1 \(busy for \d+s, bound 3s\)$", Assert.Single(probed.Unresponsive));
        File.Delete(_folder["reload-hold"]);
    }

    [Fact]
    public void A_failed_backend_is_retried_after_min_backoff_and_resumes_from_the_cursor_without_a_gap()
    {
        var status = CreateTestProbe();
        Sys.EventStream.Subscribe(status.Ref, typeof(BackendStatusChanged));
        var (_, watch) = Started(Settings(maxRestarts: 10) with { Templates = [Definition(_dest)] });
        Assert.True(status.ExpectMsg<BackendStatusChanged>(Slow).Reachable);
        watch.Put("/apps/b", "2", 6);
        Assert.Equal(6, _reconciled.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);

        watch.Fail(new BackendUnavailableException("connection refused"));

        Assert.False(status.ExpectMsg<BackendStatusChanged>(Slow).Reachable);
        var supervisor = Resolve("/user/root/watcher-1")!;
        AwaitCondition(() => CurrentChild(supervisor) is null, Slow);
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        status.ExpectNoMsg(Quiet);
        Assert.True(_source.NoNewWatch);

        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var resumed = _source.NextWatch(Slow);
        Assert.Equal(7, resumed.FromRevision);
        Assert.Single(_source.Reads);
        Assert.True(status.ExpectMsg<BackendStatusChanged>(Slow).Reachable);
        resumed.Put("/apps/c", "3", 7);
        Assert.Equal(7, _reconciled.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
        Assert.Equal("/apps/a=1\n/apps/b=2\n/apps/c=3\n", File.ReadAllText(_dest));
    }

    [Fact]
    public void A_desired_state_actor_that_fails_makes_the_pipeline_start_over_from_a_full_read()
    {
        var (_, watch) = Started(Settings(maxRestarts: 10) with { Templates = [Definition(_dest)] });
        watch.Put("/apps/b", "2", 6);
        Assert.Equal(6, _reconciled.ExpectMsg<TemplateReconciled>(Slow).Outcome.Revision);
        _source.OnRead = _ => FakeKeyValueSource.Snapshot(9, ("/apps/a", "1"), ("/apps/b", "2"), ("/apps/c", "3"));

        // a bug in the fold: the restarted actor has an empty state, which must never be rendered from
        Resolve("/user/root/desired-state-1")!.Tell(new KeysChanged(null!));

        var reconciled = _reconciled.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(9, reconciled.Outcome.Revision);
        Assert.Equal(2, _source.Reads.Count);
        Assert.Equal("/apps/a=1\n/apps/b=2\n/apps/c=3\n", File.ReadAllText(_dest));
    }

    /// <summary>A reload that logs each run and runs while the file reload-hold exists.</summary>
    private string HeldReload(string log) => $"echo run >> {Quote(log)}; while [ -e {Quote(_folder["reload-hold"])} ]; do sleep 0.01; done";

    private ReconcilerSettings Settings(int maxRestarts) =>
        new(
            _folder["reconciler.conf"],
            new BackendSettings(BackendType.File, [], _folder["keys.yaml"], "", "", new TlsSettings("", "", "")),
            new DebounceSettings(TimeSpan.Zero, TimeSpan.Zero),
            new SupervisionSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), RandomFactor: 0, maxRestarts, TimeSpan.FromMinutes(1)),
            CommandTimeout: TimeSpan.FromSeconds(20),
            ShutdownTimeout: TimeSpan.FromSeconds(10),
            new LogSettings("info", LogFormat.Text),
            HttpListen: "",
            [Template]);

    /// <summary>The pipeline past its first render of /apps/a = 1 (revision 5), and its watch on /apps.</summary>
    private (IActorRef Root, FakeWatch Watch) Started(ReconcilerSettings settings)
    {
        _source.OnRead = _ => FakeKeyValueSource.Snapshot(5, ("/apps/a", "1"));
        var root = Sys.ActorOf(
            ReconcilerActor.Props(settings, [.. settings.Templates.Select(t => NewReconciler(t))], _ => _source, NullLoggerFactory.Instance),
            "root");
        var first = _reconciled.ExpectMsg<TemplateReconciled>(Slow);
        Assert.Equal(ReconcileStatus.Written, first.Outcome.Status);
        Assert.Equal("/apps/a=1\n", File.ReadAllText(_dest));
        var watch = _source.NextWatch(Slow);
        Assert.Equal(new KeyPrefix("/apps"), watch.Prefix);
        return (root, watch);
    }

    /// <summary>Puts a key and waits until the renderer is busy checking the result; returns the checks run so far.</summary>
    private int HoldNextCheck(FakeWatch watch, string name, string value, long revision)
    {
        var before = File.ReadAllLines(_checks).Length;
        File.WriteAllText(_hold, "");
        watch.Put($"/apps/{name}", value, revision);
        AwaitCondition(() => File.ReadAllLines(_checks).Length == before + 1, Slow);
        return before + 1;
    }

    private IActorRef Renderer() => Resolve("/user/root/renderer-t-1") ?? throw new InvalidOperationException("renderer-t-1 does not exist");

    private bool RendererExists() => Resolve("/user/root/renderer-t-1") is not null;

    /// <summary>The actor at <paramref name="path"/>, or null when there is none.</summary>
    private IActorRef? Resolve(string path)
    {
        var probe = CreateTestProbe();
        Sys.ActorSelection(path).Tell(new Identify(path), probe.Ref);
        return probe.ExpectMsg<ActorIdentity>(Slow).Subject;
    }

    private IActorRef? CurrentChild(IActorRef backoffSupervisor)
    {
        var probe = CreateTestProbe();
        backoffSupervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, probe.Ref);
        return probe.ExpectMsg<BackoffSupervisor.CurrentChild>(Slow).Ref;
    }
}

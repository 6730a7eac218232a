using System.Runtime.Versioning;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.Applying;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Pipeline;

/// <summary>
/// The whole pipeline under <see cref="PipelineSupervisorActor"/> with a fake backend: what its supervision does
/// when a renderer throws or the backend fails. Virtual time drives the watcher's backoff.
/// </summary>
/// <remarks>
/// A real apply does not throw: <see cref="TemplateApplier"/> turns template, IO and command errors
/// into outcomes (Scriban wraps exceptions from template functions), so the only way a reconcile reaches
/// the renderer as a fault is a faulted task piped back as <see cref="Status.Failure"/>. The tests send
/// that message to a busy renderer, which is exactly what the renderer sees when its reconcile task faults.
/// </remarks>
[UnsupportedOSPlatform("windows")]
public sealed class SupervisionTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly TempFolder _folder = new();
    private readonly ApplyHarness _apply = new();
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

    private ApplyServices Services => _apply.Services;

    /// <summary>The check runs while the hold file exists, so a test can catch the renderer busy.</summary>
    private TemplateDefinition Template =>
        Definition(_dest, check: $"echo run >> {Quote(_checks)}; while [ -e {Quote(_hold)} ]; do sleep 0.01; done");

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _apply.DisposeAsync();
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
        Assert.Contains("apply of t failed", error.Cause.Message);
        Assert.IsType<IOException>(error.Cause.InnerException);

        // the restart stopped the old instance: its running check was killed and its staged file removed
        AwaitCondition(() => _folder.FileNames().SequenceEqual(["app.cfg", "checks", "hold"]), Slow);
        Assert.Equal("/apps/a=1\n", File.ReadAllText(_dest));
        Assert.Equal(busy, File.ReadAllLines(_checks).Length);

        File.Delete(_hold);
        watch.Put("/apps/c", "3", 7);

        // the killed apply is reported (its check was cancelled), then the next one
        var reconciled = _reconciled.FishForMessage<TemplateReconciled>(r => r.Outcome.Revision == 7, Slow);
        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
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
        root.Tell(new ApplyConfiguration(settings, [_apply.Applier(Template)]));

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
    public async Task The_watchdog_probe_reports_a_run_of_the_reloader_wedged_past_its_bound()
    {
        var (root, _) = Started(Settings(maxRestarts: 10));
        var never = new TaskCompletionSource<RuntimeApplyResult>();

        // a runtime change that ignores its cancellation, as a wedged socket client would
        var reloader = await Sys.ActorSelection(root.Path / "reloader").ResolveOne(Slow);
        reloader.Tell(new RuntimeChangeRequested("runtime change of t", _ => never.Task, TimeSpan.FromMilliseconds(100)));

        await Poll.UntilAsync(
            async () => !(await root.Ask<PipelineProbed>(new ProbePipeline(TimeSpan.FromSeconds(3)), Slow)).Alive,
            Slow,
            () => "the probe naming the wedged queue");
        var probed = await root.Ask<PipelineProbed>(new ProbePipeline(TimeSpan.FromSeconds(3)), Slow);
        Assert.Matches(@"^reloader \(runtime change of t for \d+s, bound 0s\)$", Assert.Single(probed.Unresponsive));
        never.SetResult(RuntimeApplyResult.Done(0, TimeSpan.Zero));
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
            PipelineSupervisorActor.Props(settings, [.. settings.Templates.Select(t => _apply.Applier(t))], Services, _ => _source, NullLoggerFactory.Instance),
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

using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Health;
using Reconciler.Actors.Pipeline;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// One schedule run through the real pipeline as the daemon builds it (the supervisor, which starts the watcher, the
/// desired state, the renderer with its template applier, and the reloader; the status actor) on a TestKit actor system with a <see cref="TestScheduler"/>: the store, the commands and HAProxy are
/// simulated, time is virtual, files are real in a temp folder. After every step the run waits for the pipeline to go
/// still and checks the <see cref="SimulationInvariants"/>; at the end the schedule goes quiet and the pipeline must
/// converge within <see cref="ConvergenceBound"/> of virtual time.
/// </summary>
internal sealed class SimulationRun : IAsyncDisposable
{
    /// <summary>Virtual time a quiet pipeline gets to converge: more than max-backoff and the debounce's max together.</summary>
    public static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan QuietStep = TimeSpan.FromSeconds(1);

    // the steps of an apply (ApplyProgress) in the reloader's hands: waiting for its turn or for the answer
    private static readonly ImmutableHashSet<string> AtTheReloader = ["reload, in the reload queue", "runtime change, in the reload queue"];

    private readonly TestKitBase _kit;
    private readonly string _folder;
    private readonly ReconcilerSettings _settings;
    private readonly bool _runtimeApi;
    private ApplyServices _services = null!;
    private IReadOnlyList<TemplateApplier> _appliers = [];
    private IActorRef _root = ActorRefs.Nobody;
    private IActorRef _status = ActorRefs.Nobody;
    private readonly SimulationInvariants _invariants;
    private readonly List<string> _trace = [];
    private readonly VirtualTimeProvider _time;
    private ActorSelection _reloader = null!;

    public SimulationRun(TestKitBase kit, bool runtimeApi)
    {
        _kit = kit;
        _time = new VirtualTimeProvider((TestScheduler)kit.Sys.Scheduler);
        _folder = Directory.CreateTempSubdirectory("simulation-").FullName;
        Source = new SimulatedKeyValueSource();
        Haproxy = new SimulatedHaproxy();
        Commands = new SimulatedCommands(Dest, Haproxy, VirtualDelayAsync);
        File.WriteAllText(Path.Combine(_folder, "app.sbn"), TestTemplates.KeyLines);
        var runtime = runtimeApi ? "runtime { type = haproxy-map, socket = /nonexistent/simulated.sock }" : string.Empty;
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler {
              state-dir = state
              debounce { quiet = 200ms, max = 2s }
              supervision { min-backoff = 500ms, max-backoff = 5s, random-factor = 0 }
              commands { timeout = 10s, min-reload-interval = 2s }
              templates = [{
                name = app
                src = app.sbn
                dest = out/app.cfg
                keys = ["/apps"]
                check-cmd = "{{SimulatedCommands.Check}}"
                reload-cmd = "{{SimulatedCommands.Reload}}"
                {{runtime}}
                quarantine { enabled = false }
              }]
            }
            """);
        Directory.CreateDirectory(Path.Combine(_folder, "out"));
        _settings = SettingsLoader.Load(config);
        _runtimeApi = runtimeApi;
        StartDaemon();
        _invariants = new SimulationInvariants(Source, Commands, Haproxy);
    }

    public SimulatedKeyValueSource Source { get; }

    public SimulatedCommands Commands { get; }

    public SimulatedHaproxy Haproxy { get; }

    /// <summary>One line per step: the step and what dest, the service and the commands showed after it.</summary>
    public IReadOnlyList<string> Trace => _trace;

    private string Dest => Path.Combine(_folder, "out", "app.cfg");

    private TestScheduler Clock => (TestScheduler)_kit.Sys.Scheduler;

    /// <summary>Runs <paramref name="schedule"/>, then quiet; throws <see cref="SimulationFailure"/> at the first broken invariant.</summary>
    public void Run(IReadOnlyList<Step> schedule)
    {
        StartUp();
        foreach (var (step, index) in schedule.Select((s, i) => (s, i)))
        {
            Take(step);
            Settle();
            Record(step.ToString());
            _invariants.Check(ReadDest(), $"after step {index + 1} ({step})");
        }

        Converge();
    }

    public async ValueTask DisposeAsync()
    {
        await StopDaemonAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>What the daemon builds at start (PipelineStartup): the apply services over the state dir, the appliers, status and the pipeline.</summary>
    private void StartDaemon()
    {
        _services = new ApplyServices(_settings, runnerFor: _ => Commands)
        {
            RuntimeApis = _runtimeApi ? _ => Haproxy : null,
        };
        _appliers = TemplateApplier.CreateAll(_settings, _services);
        _status = _kit.Sys.ActorOf(StatusActor.Props(Source.Description, _settings.Templates.Select(t => t.Name)));
        _kit.Sys.EventStream.Subscribe(_status, StatusActor.Topics);
        _root = _kit.Sys.ActorOf(PipelineSupervisorActor.Props(_settings, _appliers, _services, _ => Source, new CapturingLoggerFactory()), "reconciler");
        _reloader = _kit.Sys.ActorSelection(_root.Path / "reloader");
    }

    /// <summary>As the daemon exits: the pipeline stops, the applies running are waited for (bounded), the services go.</summary>
    private async Task StopDaemonAsync()
    {
        await _root.GracefulStop(TimeSpan.FromSeconds(10));
        await _services.InFlight.DrainAsync(TimeSpan.FromSeconds(10));
        _kit.Sys.Stop(_status);
        await _services.DisposeAsync();
    }

    /// <summary>The daemon restarts: a new process over the same state dir (slot assignments, owed-reload markers), dest and service.</summary>
    private void Restart()
    {
        StopDaemonAsync().GetAwaiter().GetResult();
        Source.NewClient();
        StartDaemon();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Source.IsReachable && !StatusNow().Backend.Reachable)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SimulationFailure("the restarted pipeline did not reach the store within 30 s");
            }

            Thread.Sleep(5);
        }
    }

    private void Take(Step step)
    {
        var pastRevision = Math.Max(1, Source.Revision - 1 - (step.B % 5));
        switch (step.Kind)
        {
            case StepKind.Put:
                Source.Put(step.Key, step.Value);
                break;
            case StepKind.Delete:
                Source.Delete(step.Key);
                break;
            case StepKind.Transaction:
                Source.Transaction([(step.Key, step.Value), ($"/apps/k{(step.A + 1) % 5}", null)]);
                break;
            case StepKind.Deliver:
                Source.Deliver(step.A, 1 + (step.B % 3));
                break;
            case StepKind.Compact:
                Source.Compact(pastRevision + 1);
                break;
            case StepKind.Disconnect:
                Source.Disconnect();
                break;
            case StepKind.Reconnect:
                Source.Reconnect();
                break;
            case StepKind.Stall:
                Source.TimeOutWatches();
                break;
            case StepKind.RestoreToOlderRevision:
                // not under the same cluster id and revision numbers: found out only if the store is still below the
                // revision seen when the watcher resumes, else never (docs/dev/testing.md)
                Source.RestoreTo(pastRevision, newCluster: step.A % 2 == 1, bumpRevision: step.A % 2 == 0);
                _invariants.HistoryRestored();
                break;
            case StepKind.Wipe:
                Source.Wipe();
                _invariants.HistoryRestored();
                break;
            case StepKind.SetCheckOutcome:
                Commands.CheckOutcome = (CommandOutcome)(step.B % 4);
                break;
            case StepKind.SetReloadOutcome:
                Commands.ReloadOutcome = (CommandOutcome)(step.B % 4);
                break;
            case StepKind.SetRuntimeApi:
                Haproxy.Behaviour = (RuntimeApiBehaviour)(step.B % 4);
                break;
            case StepKind.Advance:
                Advance(step.Duration);
                break;
            case StepKind.RestartDaemon:
                Restart();
                break;
        }
    }

    /// <summary>
    /// Waits (in real time, bounded) for the first apply to end: the actors start on the thread pool, and a schedule's
    /// first step must find them started, or its virtual time would pass before they are.
    /// </summary>
    private void StartUp()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (StatusNow().Templates.Values.Single().State == TemplateState.Pending)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SimulationFailure("the pipeline did not apply the store's first state within 30 s");
            }

            Thread.Sleep(5);
        }

        Settle();
    }

    /// <summary>The schedule goes quiet: the store is reachable and delivers everything, commands and the socket succeed.</summary>
    private void Converge()
    {
        Source.Reconnect();
        Commands.CheckOutcome = CommandOutcome.Ok;
        Commands.ReloadOutcome = CommandOutcome.Ok;
        Haproxy.Behaviour = RuntimeApiBehaviour.Accept;
        var waited = TimeSpan.Zero;
        while (true)
        {
            while (Source.Deliver(0, int.MaxValue))
            {
                Settle();
            }

            var dest = ReadDest();
            _invariants.Check(dest, $"while converging, {waited.TotalSeconds:0}s after the schedule went quiet");
            var expected = SimulationInvariants.Render(Source.Keys);
            var healthy = StatusNow().Healthy;
            if (dest == expected && Haproxy.Running == dest && healthy)
            {
                Record($"converged after {waited.TotalSeconds:0}s");
                return;
            }

            if (waited >= ConvergenceBound)
            {
                throw new SimulationFailure(
                    $"not converged {waited.TotalSeconds:0}s after the schedule went quiet: dest {(dest == expected ? "is" : "is not")} the render of revision {Source.Revision}, "
                    + $"the service {(Haproxy.Running == dest ? "runs" : "does not run")} dest, health says {(healthy ? "healthy" : "not healthy")}");
            }

            Advance(QuietStep);
            waited += QuietStep;
        }
    }

    private PipelineStatus StatusNow() => _status.Ask<PipelineStatus>(GetPipelineStatus.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();

    /// <summary>Virtual time goes on in steps of at most 100 ms, the pipeline going still after each.</summary>
    private void Advance(TimeSpan duration)
    {
        for (var left = duration; left > TimeSpan.Zero; left -= TimeSpan.FromMilliseconds(100))
        {
            Clock.Advance(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            Settle();
        }
    }

    /// <summary>
    /// Waits (in real time, bounded) until the pipeline is still: no apply running and nothing it shows changing over
    /// a few polls. The apply path runs on the thread pool, so this is where a run is not deterministic.
    /// </summary>
    private void Settle()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var stillFor = 0;
        var last = Fingerprint();
        while (stillFor < 3 || Source.DeliveryInFlight(StatusNow().Revision))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SimulationFailure($"the pipeline did not go still within 30 s: {last}");
            }

            Thread.Sleep(5);
            var now = Fingerprint();
            stillFor = now == last && WaitsForTime() ? stillFor + 1 : 0;
            last = now;
        }
    }

    /// <summary>
    /// Whether nothing but virtual time can move the pipeline on: every apply idle, or its check is a command waiting for
    /// time, or it is at the reloader while the reloader is idle (its queue waits for a timer: min-reload-interval, a
    /// batch's patience) or runs a command waiting for time. A render, or a command that is just running, is not waiting.
    /// </summary>
    private bool WaitsForTime()
    {
        var steps = _appliers.Select(a => a.Progress.Current.Step).ToList();
        var reloaderIdle = _reloader.Ask<RendererProgress>(GetRendererProgress.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult() == RendererProgress.Idle;
        return steps.All(step => step switch
        {
            "idle" => reloaderIdle || Commands.WaitingForTime > 0,
            "check" => Commands.WaitingForTime > 0,
            _ when AtTheReloader.Contains(step) => reloaderIdle || Commands.WaitingForTime > 0,
            _ => false,
        });
    }

    private string Fingerprint()
    {
        var status = StatusNow();
        var template = status.Templates.Values.Single();
        return $"{ReadDest()?.GetHashCode()}|{Commands.Runs.Count}|{Haproxy.Running?.GetHashCode()}|{Source.OpenWatches}|{Haproxy.RuntimeChanges}|{status.Revision}|{status.Backend.Reachable}|{template.State}";
    }

    private void Record(string step)
    {
        var dest = ReadDest();
        _trace.Add($"{step} → dest {Describe(dest)}, service {Describe(Haproxy.Running)}, {Commands.Runs.Count(r => r.Kind == CommandKind.Check)} checks, {Commands.Runs.Count(r => r.Kind == CommandKind.Reload)} reloads, {Haproxy.RuntimeChanges} runtime changes");
    }

    private static string Describe(string? content) => content is null ? "absent" : $"[{content.Replace("\n", " ", StringComparison.Ordinal).Trim()}]";

    private string? ReadDest() => File.Exists(Dest) ? File.ReadAllText(Dest) : null;

    private Task VirtualDelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, _time, cancellationToken);
}

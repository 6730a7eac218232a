using System.Collections.Immutable;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// The root of the pipeline: builds reloader → renderers → desired state → watcher from the
/// settings and supervises them. Renderers and the reloader are restarted when they throw
/// (the desired state lives in its own actor and survives); the watcher runs under a backoff
/// supervisor so a dead backend is retried with growing delays. A reloaded configuration
/// replaces only the renderers whose template changed, unless the backend or keys changed.
/// A reloader stopped by its supervisor is replaced after the longest backoff, or at once on a configuration reload.
/// </summary>
public sealed class ReconcilerActor : ReceiveActor, IWithTimers
{
    private const string ReloaderTimer = "recreate-reloader";
    private readonly Func<BackendSettings, IKeyValueSource> _sources;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly InFlightWork? _inFlight;
    private IActorRef _reloader = ActorRefs.Nobody;
    private int _reloaders;
    private Dictionary<string, (TemplateReconciler Reconciler, IActorRef Renderer)> _renderers = [];
    private ReconcilerSettings _settings;
    private IKeyValueSource _source;
    private IActorRef _desiredState = ActorRefs.Nobody;
    private IActorRef _watcher = ActorRefs.Nobody;
    private int _generation;

    public ReconcilerActor(
        ReconcilerSettings settings,
        IReadOnlyList<TemplateReconciler> templates,
        Func<BackendSettings, IKeyValueSource> sources,
        ILoggerFactory loggers,
        InFlightWork? inFlight)
    {
        _settings = settings;
        _sources = sources;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ReconcilerActor>();
        _source = sources(settings.Backend);
        _inFlight = inFlight;
        StartReloader();
        StartPipeline(templates);

        Receive<TemplateReconciled>(_ => { }); // renderers tell their parent too; the status actor is the one that keeps it
        Receive<ProbePipeline>(Probe);
        Receive<ApplyConfiguration>(Apply);
        Receive<Drain>(_ => DrainRenderers());
        Receive<DesiredStateLost>(lost => Sender.Equals(_desiredState), OnDesiredStateLost);
        Receive<Terminated>(terminated => terminated.ActorRef.Equals(_reloader), _ => OnReloaderStopped());
        Receive<RecreateReloader>(_ => ReplaceReloader());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(
        ReconcilerSettings settings,
        IReadOnlyList<TemplateReconciler> templates,
        Func<BackendSettings, IKeyValueSource> sources,
        ILoggerFactory loggers,
        InFlightWork? inFlight = null) =>
        Akka.Actor.Props.Create(() => new ReconcilerActor(settings, templates, sources, loggers, inFlight));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(
            _settings.Supervision.MaxRestarts,
            _settings.Supervision.RestartWindow,
            localOnlyDecider: _ => Directive.Restart);

    // disposal only closes client connections; nothing waits on it
    protected override void PostStop() => _ = _source.DisposeAsync().AsTask();

    private void StartReloader()
    {
        _reloaders++;
        var name = _reloaders == 1 ? "reloader" : $"reloader-{_reloaders}";
        _reloader = Context.ActorOf(ReloaderActor.Props(new CommandRunner(CommandEnvironment.From(_settings.CommandEnvironment)), _settings.CommandTimeout, _inFlight), name);
        Context.Watch(_reloader);
    }

    private void OnReloaderStopped()
    {
        var delay = _settings.Supervision.MaxBackoff;
        _logger.LogError("The reloader stopped after too many failures; starting a new one in {Delay} (or at the next configuration reload)", delay);
        Timers.StartSingleTimer(ReloaderTimer, RecreateReloader.Instance, delay);
    }

    /// <summary>A new reloader; renderers waiting for the stopped one ask it again.</summary>
    private void ReplaceReloader()
    {
        Timers.Cancel(ReloaderTimer);
        StartReloader();
        foreach (var (_, renderer) in _renderers.Values)
        {
            renderer.Tell(new ReloaderReplaced(_reloader));
        }
    }

    private void StartPipeline(IReadOnlyList<TemplateReconciler> templates)
    {
        _generation++;
        _renderers = templates.ToDictionary(t => t.Definition.Name, t => (t, StartRenderer(t, RunningRenderer(t.Definition.Name))));
        _desiredState = Context.ActorOf(
            DesiredStateActor.Props(_renderers.Values.Select(r => (r.Reconciler.Definition, r.Renderer)), Logger<DesiredStateActor>()),
            $"desired-state-{_generation}");
        _watcher = Context.ActorOf(WatcherSupervisorProps(), $"watcher-{_generation}");
    }

    /// <param name="predecessor">The renderer of the template's previous definition, which hands over to the new one.</param>
    private IActorRef StartRenderer(TemplateReconciler template, IActorRef? predecessor = null)
    {
        var supervision = _settings.Supervision;
        var backoff = new RetryBackoff(supervision.MinBackoff, supervision.MaxBackoff, supervision.RandomFactor);

        // the marker of a reload this process still has in flight is no news: only a fresh template's is
        var reloadOwed = predecessor is null && template.ReloadOwed && template.Definition.ReloadCommand.Length > 0;
        if (reloadOwed)
        {
            _logger.LogWarning("{Dest} of {Template} was written but not reloaded successfully before; it will be reloaded", template.Definition.Dest, template.Definition.Name);
        }

        return Context.ActorOf(
            RendererActor.Props(template, _reloader, backoff, Logger<RendererActor>(), reloadOwed, predecessor),
            $"renderer-{Uri.EscapeDataString(template.Definition.Name)}-{_generation}");
    }

    private Props WatcherSupervisorProps() =>
        WatcherActor.Supervised(WatcherActor.Props(_source, _desiredState, _settings.WatchedPrefixes, Logger<WatcherActor>()), _settings.Supervision);

    private void Apply(ApplyConfiguration apply)
    {
        var old = _settings;
        _settings = apply.Settings;
        WarnAboutSettingsNeedingARestart(old, apply.Settings);
        if (!IsRunning(_reloader))
        {
            ReplaceReloader();
        }
        else if (old.CommandTimeout != apply.Settings.CommandTimeout)
        {
            _reloader.Tell(new ReloaderActor.CommandTimeoutChanged(apply.Settings.CommandTimeout));
        }

        if (!old.Backend.IsSameAs(apply.Settings.Backend) || !old.WatchedPrefixes.SequenceEqual(apply.Settings.WatchedPrefixes))
        {
            RestartPipeline(apply.Templates);
        }
        else
        {
            ReplaceChangedRenderers(apply.Templates);
        }

        Context.System.EventStream.Publish(new TemplatesConfigured([.. apply.Templates.Select(t => t.Definition.Name)]));
        Context.System.EventStream.Publish(new ConfigurationReloaded(Succeeded: true));
    }

    private void OnDesiredStateLost(DesiredStateLost lost)
    {
        _logger.LogError("The desired-state actor failed ({Reason}); restarting the pipeline from a full read", lost.Reason);
        RestartPipeline([.. _renderers.Values.Select(r => r.Reconciler)]);
    }

    /// <summary>The backend or the watched keys changed, or the state was lost: everything starts over from a fresh full read.</summary>
    private void RestartPipeline(IReadOnlyList<TemplateReconciler> templates)
    {
        _logger.LogInformation("Restarting the pipeline: backend, watched keys or state changed");
        Context.Stop(_watcher);
        Context.Stop(_desiredState);
        foreach (var (name, (_, renderer)) in _renderers)
        {
            if (!templates.Any(t => t.Definition.Name == name))
            {
                Context.Stop(renderer);
            }
        }

        _ = _source.DisposeAsync().AsTask();
        _source = _sources(_settings.Backend);
        StartPipeline(templates); // the renderers of templates still configured hand over to their successors
    }

    /// <summary>Only templates whose definition or text changed get a new renderer and render again.</summary>
    private void ReplaceChangedRenderers(IReadOnlyList<TemplateReconciler> templates)
    {
        _generation++;
        var kept = new Dictionary<string, (TemplateReconciler Reconciler, IActorRef Renderer)>();
        var changed = ImmutableHashSet.CreateBuilder<string>();
        foreach (var template in templates)
        {
            var name = template.Definition.Name;
            // a renderer stopped by the supervisor (too many restarts) is replaced even when its template is unchanged
            if (_renderers.TryGetValue(name, out var current) && current.Reconciler.IsSameAs(template) && IsRunning(current.Renderer))
            {
                kept[name] = current;
                current.Renderer.Tell(RetryFailed.Instance);
                continue;
            }

            kept[name] = (template, StartRenderer(template, RunningRenderer(name)));
            changed.Add(name);
        }

        // a replaced renderer hands over to its successor and stops by itself; one of a removed template is stopped
        foreach (var (_, (_, renderer)) in _renderers.Where(r => !kept.ContainsKey(r.Key)))
        {
            Context.Stop(renderer);
        }

        _renderers = kept;
        _logger.LogInformation(
            "Configuration reloaded: {Changed} template(s) changed or added, {Kept} unchanged",
            changed.Count,
            kept.Count - changed.Count);
        _desiredState.Tell(new ReplaceTemplates([.. kept.Values.Select(r => (r.Reconciler.Definition, r.Renderer))], changed.ToImmutable()));
    }

    private void WarnAboutSettingsNeedingARestart(ReconcilerSettings old, ReconcilerSettings now)
    {
        var needRestart = new List<string>();
        if (old.Log.Format != now.Log.Format)
        {
            needRestart.Add("reconciler.log.format");
        }

        if (old.HttpListen != now.HttpListen)
        {
            needRestart.Add("reconciler.http.listen");
        }

        if (needRestart.Count > 0)
        {
            _logger.LogWarning("Configuration reload: {Settings} changed and take(s) effect at the next restart", string.Join(", ", needRestart));
        }
    }

    /// <summary>Shutdown: no new changes; answer once every renderer finished its reconcile and reload.</summary>
    private void DrainRenderers()
    {
        Context.Stop(_watcher);
        Context.Stop(_desiredState);
        var timeout = _settings.ShutdownTimeout;
        Task.WhenAll(_renderers.Values.Select(r => r.Renderer.Ask<Drained>(Drain.Instance, timeout)))
            .PipeTo(Sender, success: _ => Drained.Instance);
    }

    /// <summary>
    /// The watchdog's probe: every actor of the pipeline (watcher supervisor, state, renderers, reloader) must answer, and
    /// no renderer's reconcile may go without moving on for longer than its bound (render-timeout and commands.timeout each spent).
    /// </summary>
    private void Probe(ProbePipeline probe)
    {
        var renderers = _renderers.Values.Select(r => r.Renderer).ToList();
        var unresponsive = ActorLiveness.UnresponsiveAsync([.. Context.GetChildren()], probe.Timeout);
        var stuck = ActorLiveness.StuckAsync(renderers, probe.Timeout);
        Task.WhenAll(unresponsive, stuck)
            .PipeTo(Sender, success: _ => new PipelineProbed([.. unresponsive.Result, .. stuck.Result]));
    }

    private bool IsRunning(IActorRef child) => !Context.Child(child.Path.Name).IsNobody();

    /// <summary>The current renderer of template <paramref name="name"/>, unless there is none or its supervisor stopped it.</summary>
    private IActorRef? RunningRenderer(string name) =>
        _renderers.TryGetValue(name, out var current) && IsRunning(current.Renderer) ? current.Renderer : null;

    private ILogger Logger<T>() => _loggers.CreateLogger<T>();
}

/// <summary>Root → itself: time to replace the stopped reloader.</summary>
internal sealed record RecreateReloader
{
    public static readonly RecreateReloader Instance = new();
}

/// <summary>Asks the root whether every actor of the pipeline answers within <paramref name="Timeout"/>.</summary>
public sealed record ProbePipeline(TimeSpan Timeout);

/// <summary>The probe's answer: the actors that did not answer in time or are stuck (with why); empty when the pipeline is alive.</summary>
public sealed record PipelineProbed(ImmutableArray<string> Unresponsive)
{
    public bool Alive => Unresponsive.IsEmpty;
}

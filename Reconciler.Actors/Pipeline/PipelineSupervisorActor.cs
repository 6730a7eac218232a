using System.Collections.Immutable;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// The root of the pipeline: builds renderers → desired state → watcher from the settings and supervises them.
/// Renderers are restarted when they throw (the desired state lives in its own actor and survives); the watcher runs
/// under a backoff supervisor so a dead backend is retried with growing delays. A reloaded configuration replaces
/// only the renderers whose template changed, unless the backend or keys changed. Every reload and runtime change
/// runs in its one <see cref="ReloaderActor"/>, which outlives pipeline restarts (a dest's owed reload is its
/// <see cref="OwedReload"/>'s, which outlives the reloader too), and which the probe and the drain reach like the others.
/// </summary>
public sealed class PipelineSupervisorActor : ReceiveActor
{

    private readonly Func<BackendSettings, IKeyValueSource> _sources;
    private readonly ApplyServices _services;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IActorRef _reloader;
    private Dictionary<string, (TemplateApplier Applier, IActorRef Renderer)> _renderers = [];
    private ReconcilerSettings _settings;
    private IKeyValueSource _source;
    private IActorRef _desiredState = ActorRefs.Nobody;
    private IActorRef _watcher = ActorRefs.Nobody;
    private int _generation;

    public PipelineSupervisorActor(
        ReconcilerSettings settings,
        IReadOnlyList<TemplateApplier> templates,
        ApplyServices services,
        Func<BackendSettings, IKeyValueSource> sources,
        ILoggerFactory loggers)
    {
        _settings = settings;
        _services = services;
        _sources = sources;
        _loggers = loggers;
        _logger = loggers.CreateLogger<PipelineSupervisorActor>();
        _source = sources(settings.Backend);
        _reloader = Context.ActorOf(ReloaderActor.Props(services.Reloads), "reloader");
        StartPipeline(templates, replacing: false);

        Receive<ProbePipeline>(Probe);
        Receive<ApplyConfiguration>(Apply);
        Receive<Drain>(_ => DrainRenderers());
        Receive<DesiredStateLost>(lost => Sender.Equals(_desiredState), OnDesiredStateLost);
    }

    public static Props Props(
        ReconcilerSettings settings,
        IReadOnlyList<TemplateApplier> templates,
        ApplyServices services,
        Func<BackendSettings, IKeyValueSource> sources,
        ILoggerFactory loggers) =>
        Akka.Actor.Props.Create(() => new PipelineSupervisorActor(settings, templates, services, sources, loggers));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new ReloaderKeepingStrategy(_reloader, _settings.Supervision.MaxRestarts, _settings.Supervision.RestartWindow);

    // disposal only closes client connections; nothing waits on it
    protected override void PostStop() => _ = _source.DisposeAsync().AsTask();

    private void StartPipeline(IReadOnlyList<TemplateApplier> templates, bool replacing)
    {
        _generation++;
        var previous = _renderers;
        _renderers = templates.ToDictionary(t => t.Definition.Name, t => (t, StartRenderer(t, replacing, PredecessorOf(t, previous))));
        _desiredState = Context.ActorOf(
            DesiredStateActor.Props(_renderers.Values.Select(r => (r.Applier.Definition, r.Renderer)), ReloadBatch.PatienceFor(_settings), Logger<DesiredStateActor>(), limits: _settings.Backend.Limits, reloader: _reloader),
            $"desired-state-{_generation}");
        _watcher = Context.ActorOf(WatcherSupervisorProps(), $"watcher-{_generation}");
    }

    /// <param name="replacing">It replaces the renderer of the template's previous definition, whose debt is no news.</param>
    /// <param name="predecessor">The renderer of the same dest it replaces: its first apply waits until that one stopped.</param>
    private IActorRef StartRenderer(TemplateApplier template, bool replacing, IActorRef? predecessor)
    {
        var supervision = _settings.Supervision;
        var backoff = new RetryBackoff(supervision.MinBackoff, supervision.MaxBackoff, supervision.RandomFactor);
        if (!replacing && template.ReloadOwed && template.Definition.ReloadCommand.Length > 0)
        {
            _logger.LogWarning("{Dest} of {Template} was written but not reloaded successfully before; it will be reloaded", template.Definition.Dest, template.Definition.Name);
        }

        return Context.ActorOf(
            RendererActor.Props(template, _reloader, backoff, Logger<RendererActor>(), predecessor),
            $"renderer-{Uri.EscapeDataString(template.Definition.Name)}-{_generation}");
    }

    private Props WatcherSupervisorProps() =>
        WatcherActor.Supervised(WatcherActor.Props(_source, _desiredState, _settings.WatchedPrefixes, Logger<WatcherActor>()), _settings.Supervision);

    private void Apply(ApplyConfiguration apply)
    {
        var old = _settings;
        _settings = apply.Settings;
        _services.Configure(apply.Settings);
        _reloader.Tell(new ConfigureReloads(_services.Reloads));
        WarnAboutSettingsNeedingARestart(old, apply.Settings);
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
        RestartPipeline([.. _renderers.Values.Select(r => r.Applier)]);
    }

    /// <summary>The backend or the watched keys changed, or the state was lost: everything starts over from a fresh full read.</summary>
    private void RestartPipeline(IReadOnlyList<TemplateApplier> templates)
    {
        _logger.LogInformation("Restarting the pipeline: backend, watched keys or state changed");
        Context.Stop(_watcher);
        Context.Stop(_desiredState);
        foreach (var (_, renderer) in _renderers.Values)
        {
            renderer.Tell(Retire.Instance);
        }

        _ = _source.DisposeAsync().AsTask();
        _source = _sources(_settings.Backend);
        StartPipeline(templates, replacing: true);
    }

    /// <summary>Only templates whose definition or text changed get a new renderer and render again.</summary>
    private void ReplaceChangedRenderers(IReadOnlyList<TemplateApplier> templates)
    {
        _generation++;
        var kept = new Dictionary<string, (TemplateApplier Applier, IActorRef Renderer)>();
        var changed = ImmutableHashSet.CreateBuilder<string>();
        foreach (var template in templates)
        {
            var name = template.Definition.Name;

            // a renderer stopped by the supervisor (too many restarts) is replaced even when its template is unchanged
            if (_renderers.TryGetValue(name, out var current) && current.Applier.IsSameAs(template) && IsRunning(current.Renderer))
            {
                kept[name] = current;
                current.Renderer.Tell(RetryFailed.Instance);
                continue;
            }

            kept[name] = (template, StartRenderer(template, replacing: _renderers.ContainsKey(name), PredecessorOf(template, _renderers)));
            changed.Add(name);
        }

        foreach (var (_, renderer) in _renderers.Values.Where(r => !kept.ContainsValue(r)))
        {
            renderer.Tell(Retire.Instance);
        }

        _renderers = kept;
        _logger.LogInformation("Configuration reloaded: {Changed} template(s) changed or added, {Kept} unchanged", changed.Count, kept.Count - changed.Count);
        _desiredState.Tell(new ReplaceTemplates([.. kept.Values.Select(r => (r.Applier.Definition, r.Renderer))], changed.ToImmutable()));
    }

    private void WarnAboutSettingsNeedingARestart(ReconcilerSettings old, ReconcilerSettings now)
    {
        var needRestart = new List<string>();
        if (old.Log.Format != now.Log.Format)
        {
            needRestart.Add("reconciler.log.format");
        }

        if (old.HttpListen != now.HttpListen || old.HttpDetails != now.HttpDetails)
        {
            needRestart.Add("reconciler.http");
        }

        if (old.StateDir != now.StateDir || old.JournalMaxEntries != now.JournalMaxEntries || old.JournalMaxBytes != now.JournalMaxBytes)
        {
            needRestart.Add("reconciler.state-dir, reconciler.journal");
        }

        if (old.Fleet != now.Fleet)
        {
            needRestart.Add("reconciler.fleet");
        }

        if (needRestart.Count > 0)
        {
            _logger.LogWarning("Configuration reload: {Settings} changed and take(s) effect at the next restart", string.Join(", ", needRestart));
        }
    }

    /// <summary>Shutdown: no new changes; answer once every renderer finished its apply, then the reloader what they left it.</summary>
    private void DrainRenderers()
    {
        Context.Stop(_watcher);
        Context.Stop(_desiredState);
        DrainAsync([.. _renderers.Values.Select(r => r.Renderer)], _reloader, _settings.ShutdownTimeout).PipeTo(Sender);
    }

    private static async Task<Drained> DrainAsync(IReadOnlyList<IActorRef> renderers, IActorRef reloader, TimeSpan timeout)
    {
        await Task.WhenAll(renderers.Select(renderer => renderer.Ask<Drained>(Drain.Instance, timeout)));
        return await reloader.Ask<Drained>(Drain.Instance, timeout);
    }

    /// <summary>
    /// The watchdog's probe: every actor of the pipeline (watcher supervisor, state, renderers, reloader) must answer,
    /// and no renderer's apply may stay in a step past that step's bound, nor the reloader's run past its timeout.
    /// </summary>
    private void Probe(ProbePipeline probe)
    {
        var unresponsive = ActorLiveness.UnresponsiveAsync([.. Context.GetChildren()], probe.Timeout);
        var stuck = ActorLiveness.StuckAsync([.. _renderers.Values.Select(r => r.Renderer), _reloader], probe.Timeout);
        Task.WhenAll(unresponsive, stuck)
            .PipeTo(Sender, success: _ => new PipelineProbed([.. unresponsive.Result, .. stuck.Result]));
    }

    /// <summary>The renderer among <paramref name="renderers"/> that writes <paramref name="template"/>'s dest (whatever its template is called now).</summary>
    private static IActorRef? PredecessorOf(TemplateApplier template, Dictionary<string, (TemplateApplier Applier, IActorRef Renderer)> renderers) =>
        renderers.Values.FirstOrDefault(r => Path.GetFullPath(r.Applier.Definition.Dest) == Path.GetFullPath(template.Definition.Dest)).Renderer;

    private static bool IsRunning(IActorRef child) => !Context.Child(child.Path.Name).IsNobody();

    private ILogger Logger<T>() => _loggers.CreateLogger<T>();
}

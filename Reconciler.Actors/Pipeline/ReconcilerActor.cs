using System.Collections.Immutable;
using Akka.Actor;
using Akka.Pattern;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Rendering;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// The root of the pipeline: builds reloader → renderers → desired state → watcher from the
/// settings and supervises them. Renderers and the reloader are restarted when they throw
/// (the desired state lives in its own actor and survives); the watcher runs under a backoff
/// supervisor so a dead backend is retried with growing delays.
/// </summary>
public sealed class ReconcilerActor : ReceiveActor
{
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, TemplateReconciled> _lastReconciled = [];

    public ReconcilerActor(
        ReconcilerSettings settings,
        IReadOnlyList<TemplateReconciler> templates,
        IKeyValueSource source,
        ILoggerFactory loggers)
    {
        _loggers = loggers;
        var reloader = Context.ActorOf(ReloaderActor.Props(new Output.CommandRunner(), settings.CommandTimeout), "reloader");
        var renderers = templates.Select(t => (t.Definition, Renderer: Context.ActorOf(
            RendererActor.Props(t, reloader, Logger<RendererActor>()),
            $"renderer-{Uri.EscapeDataString(t.Definition.Name)}"))).ToList();
        var desiredState = Context.ActorOf(DesiredStateActor.Props(renderers, Logger<DesiredStateActor>()), "desired-state");
        Context.ActorOf(WatcherSupervisorProps(settings, source, desiredState), "watcher-supervisor");

        Receive<TemplateReconciled>(r => _lastReconciled[r.Outcome.Template] = r);
        Receive<GetTemplateStatus>(_ => Sender.Tell(new TemplateStatus(_lastReconciled.ToImmutableDictionary())));
    }

    public static Props Props(ReconcilerSettings settings, IReadOnlyList<TemplateReconciler> templates, IKeyValueSource source, ILoggerFactory loggers) =>
        Akka.Actor.Props.Create(() => new ReconcilerActor(settings, templates, source, loggers));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1), localOnlyDecider: _ => Directive.Restart);

    private Props WatcherSupervisorProps(ReconcilerSettings settings, IKeyValueSource source, IActorRef desiredState)
    {
        var watcher = WatcherActor.Props(source, desiredState, settings.WatchedPrefixes, Logger<WatcherActor>());
        var supervision = settings.Supervision;
        return BackoffSupervisor.Props(
            Backoff.OnFailure(watcher, "watcher", supervision.MinBackoff, supervision.MaxBackoff, supervision.RandomFactor, maxNrOfRetries: -1)
                .WithAutoReset(supervision.MaxBackoff));
    }

    private ILogger Logger<T>() => _loggers.CreateLogger<T>();
}

/// <summary>Asks the root for the last reconcile of every template.</summary>
public sealed record GetTemplateStatus
{
    public static readonly GetTemplateStatus Instance = new();
}

public sealed record TemplateStatus(ImmutableDictionary<string, TemplateReconciled> LastReconciled);

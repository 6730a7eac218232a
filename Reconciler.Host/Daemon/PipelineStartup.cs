using Akka;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Health;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Rendering;
using Reconciler.Host.Metrics;
using Reconciler.Host.Systemd;

namespace Reconciler.Host.Daemon;

/// <summary>
/// Starts the daemon's actors in order: the observers of the event stream (status, metrics) are
/// subscribed before the pipeline can publish anything, the systemd notifier last, since it probes
/// the pipeline and reads the status.
/// </summary>
public static class PipelineStartup
{
    public static void Start(
        ActorSystem system,
        IActorRegistry registry,
        IServiceProvider services,
        ReconcilerSettings settings,
        IReadOnlyList<TemplateReconciler> templates)
    {
        var source = services.GetRequiredService<IKeyValueSource>();
        var loggers = services.GetRequiredService<ILoggerFactory>();

        var status = system.ActorOf(StatusActor.Props(source.Description, settings.Templates.Select(t => t.Name)), "status");
        system.EventStream.Subscribe(status, StatusActor.Topics);
        registry.Register<StatusActor>(status);
        if (services.GetService<ReconcilerMetrics>() is { } metrics)
        {
            system.EventStream.Subscribe(system.ActorOf(MetricsActor.Props(metrics), "metrics"), MetricsActor.Topics);
        }

        var root = system.ActorOf(ReconcilerActor.Props(settings, templates, source, loggers), "reconciler");
        registry.Register<ReconcilerActor>(root);

        var notifier = services.GetRequiredService<SystemdNotifier>();
        if (notifier.IsEnabled)
        {
            system.ActorOf(SystemdNotifyActor.Props(notifier, status, root, loggers.CreateLogger<SystemdNotifyActor>()), "systemd-notify");
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "systemd-stopping", () =>
            {
                notifier.Notify("STOPPING=1");
                return Task.FromResult(Done.Instance);
            });
        }
    }
}

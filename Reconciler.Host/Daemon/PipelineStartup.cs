using Akka;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Fleet;
using Reconciler.Actors.Health;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Registration;
using Reconciler.Host.Memory;
using Reconciler.Host.Metrics;
using Reconciler.Host.Systemd;

namespace Reconciler.Host.Daemon;

/// <summary>
/// Starts the daemon's actors in order: the observers of the event stream (status, metrics) are
/// subscribed before the pipeline can publish anything, the systemd notifier last, since it probes
/// the pipeline and reads the status.
/// </summary>
internal static class PipelineStartup
{
    public static void Start(
        ActorSystem system,
        IActorRegistry registry,
        IServiceProvider services,
        ReconcilerSettings settings,
        IReadOnlyList<TemplateApplier> templates,
        ApplyServices apply)
    {
        var loggers = services.GetRequiredService<ILoggerFactory>();

        var status = system.ActorOf(StatusActor.Props(KeyValueSourceFactory.Describe(settings.Backend), settings.Templates.Select(t => t.Name)), "status");
        system.EventStream.Subscribe(status, StatusActor.Topics);
        registry.Register<StatusActor>(status);
        if (services.GetService<ReconcilerMetrics>() is { } metrics)
        {
            system.EventStream.Subscribe(system.ActorOf(MetricsActor.Props(metrics), "metrics"), MetricsActor.Topics);
        }

        if (settings.MemoryTrimAfterIdle > TimeSpan.Zero)
        {
            system.EventStream.Subscribe(system.ActorOf(IdleMemoryTrimActor.Props(settings.MemoryTrimAfterIdle), "memory-trim"), IdleMemoryTrimActor.Topics);
        }

        if (settings.Fleet.Enabled || services.GetService<ReconcilerMetrics>() is not null)
        {
            system.EventStream.Subscribe(system.ActorOf(AppliedFileActor.Props(), "applied-files"), AppliedFileActor.Topics);
        }

        if (settings.Fleet.Enabled)
        {
            StartFleetPublisher(system, settings, loggers.CreateLogger("Reconciler.Fleet"));
        }

        var root = system.ActorOf(PipelineSupervisorActor.Props(settings, templates, apply, KeyValueSourceFactory.Create, loggers), "reconciler");
        registry.Register<PipelineSupervisorActor>(root);
        DrainOnShutdown(system, root, settings.ShutdownTimeout, loggers.CreateLogger("Reconciler"));

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

    /// <summary>
    /// Off the apply's path: it hears of applies on the event stream. Its lease is revoked on the way out, after the
    /// drain (the last applies' records are put by then, if etcd answers), so a stopped node drops out at once.
    /// </summary>
    private static void StartFleetPublisher(ActorSystem system, ReconcilerSettings settings, ILogger logger)
    {
        var etcd = new EtcdLeaseClient(KeyValueSourceFactory.ConnectionOptions(settings.Backend));
        var publisher = system.ActorOf(FleetPublisherActor.Props(etcd, settings.Fleet, logger), "fleet-publisher");
        system.EventStream.Subscribe(publisher, FleetPublisherActor.Topics);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "fleet-revoke", async () =>
        {
            try
            {
                await publisher.Ask<PublishingStopped>(StopPublishing.Instance, TimeSpan.FromSeconds(3));
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                logger.LogWarning("The fleet lease was not revoked in time; this node's records disappear within {Ttl}s", settings.Fleet.Ttl.TotalSeconds);
            }

            return Done.Instance;
        });
    }

    /// <summary>Before the actors stop: no new changes, and running reconciles and reloads finish (bounded).</summary>
    private static void DrainOnShutdown(ActorSystem system, IActorRef root, TimeSpan timeout, ILogger logger) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "drain-reconciler", async () =>
        {
            logger.LogInformation("Shutting down: no new changes, running checks and reloads get {Timeout}s to finish", timeout.TotalSeconds);
            try
            {
                await root.Ask<Drained>(Drain.Instance, timeout);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // stopping the actors kills the process groups of what is still running
                logger.LogWarning("Abandoning work still running after {Timeout}s", timeout.TotalSeconds);
            }

            return Akka.Done.Instance;
        });
}

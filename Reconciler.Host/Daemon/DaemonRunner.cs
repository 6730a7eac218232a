using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Rendering;
using Reconciler.Host.CommandLine;
using Reconciler.Host.Logging;

namespace Reconciler.Host.Daemon;

/// <summary>
/// Runs the pipeline under the generic host until SIGTERM/SIGINT. Shutdown drains first (no new
/// changes; running checks and reloads finish within reconciler.shutdown.timeout), then stops the
/// actors, whose running commands are killed, and exits 0 with no staged file or child left.
/// </summary>
public static class DaemonRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        var inFlight = new InFlightWork();

        // templates are parsed before anything starts, so a broken one is a startup error (exit 2)
        var templates = TemplateReconciler.CreateAll(settings, inFlight);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        LoggingSetup.Configure(builder.Logging, settings, options);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(inFlight);
        builder.Services.AddHostedService<ConfigurationReloadSignal>();
        builder.Services.AddAkka("reconciler", (akka, services) =>
        {
            akka.AddHocon(
                    $"akka.coordinated-shutdown.phases.service-requests-done.timeout = {(int)(settings.ShutdownTimeout.TotalMilliseconds + 1000)}ms",
                    HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActors((system, registry) =>
                {
                    var root = system.ActorOf(
                        ReconcilerActor.Props(settings, templates, KeyValueSourceFactory.Create, services.GetRequiredService<ILoggerFactory>(), inFlight),
                        "reconciler");
                    registry.Register<ReconcilerActor>(root);
                    DrainOnShutdown(system, root, settings.ShutdownTimeout, services.GetRequiredService<ILoggerFactory>().CreateLogger("Reconciler"));
                });
        });

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Reconciler");
        logger.LogInformation(
            "Starting with {Config}: {Templates} template(s) from {Backend}, debounce quiet={Quiet}ms max={Max}ms",
            settings.SourceFile,
            settings.Templates.Length,
            settings.Backend.Type == BackendType.File ? settings.Backend.FilePath : string.Join(",", settings.Backend.Endpoints),
            settings.Debounce.Quiet.TotalMilliseconds,
            settings.Debounce.Max.TotalMilliseconds);
        await host.RunAsync(cancellationToken);
        if (!await inFlight.DrainAsync(TimeSpan.FromSeconds(5)))
        {
            logger.LogWarning("Exiting with commands still being stopped");
        }

        return ExitCodes.Ok;
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

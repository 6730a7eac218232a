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

/// <summary>Runs the pipeline under the generic host until SIGTERM/SIGINT (coordinated shutdown, exit 0).</summary>
public static class DaemonRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        // templates are parsed before anything starts, so a broken one is a startup error (exit 2)
        var templates = TemplateReconciler.CreateAll(settings);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        LoggingSetup.Configure(builder.Logging, settings, options);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => KeyValueSourceFactory.Create(settings.Backend));
        builder.Services.AddAkka("reconciler", (akka, services) =>
        {
            akka.ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActors((system, registry) =>
                {
                    var root = system.ActorOf(
                        ReconcilerActor.Props(settings, templates, services.GetRequiredService<IKeyValueSource>(), services.GetRequiredService<ILoggerFactory>()),
                        "reconciler");
                    registry.Register<ReconcilerActor>(root);
                });
        });

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Reconciler");
        logger.LogInformation(
            "Starting with {Config}: {Templates} template(s) from {Backend}, debounce quiet={Quiet}ms max={Max}ms",
            settings.SourceFile,
            settings.Templates.Length,
            host.Services.GetRequiredService<IKeyValueSource>().Description,
            settings.Debounce.Quiet.TotalMilliseconds,
            settings.Debounce.Max.TotalMilliseconds);
        await host.RunAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}

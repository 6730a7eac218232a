using System.Net;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Rendering;
using Reconciler.Host.CommandLine;
using Reconciler.Host.Http;
using Reconciler.Host.Logging;
using Reconciler.Host.Metrics;
using Reconciler.Host.Systemd;

namespace Reconciler.Host.Daemon;

/// <summary>
/// Runs the pipeline under the generic host until SIGTERM/SIGINT (coordinated shutdown, exit 0);
/// with <c>reconciler.http.listen</c> set, under a slim web host serving /healthz and /metrics.
/// </summary>
public static class DaemonRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        // templates are parsed before anything starts, so a broken one is a startup error (exit 2)
        var templates = TemplateReconciler.CreateAll(settings, keepDiffs: LoggingSetup.MinimumLevel(settings, options) <= LogLevel.Debug);
        using var host = settings.HttpListen.Length == 0
            ? Configure(Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(), settings, options, templates).Build()
            : BuildWithHttp(settings, options, templates);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Reconciler");
        EffectiveConfiguration.Log(logger, settings, options);
        try
        {
            await host.RunAsync(cancellationToken);
        }
        catch (IOException e) when (settings.HttpListen.Length > 0)
        {
            // Kestrel could not bind reconciler.http.listen (in use, not a local address)
            logger.LogCritical("Cannot serve /healthz and /metrics on {Listen}: {Reason}", settings.HttpListen, e.Message);
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    private static WebApplication BuildWithHttp(ReconcilerSettings settings, RunOptions options, IReadOnlyList<TemplateReconciler> templates)
    {
        // Kestrel: the framework's own server (no download), concurrent, and shut down with the host
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPEndPoint.Parse(settings.HttpListen)));
        builder.Services.AddSingleton(new ReconcilerMetrics(settings.Templates.Select(t => t.Name)));
        var app = Configure(builder, settings, options, templates).Build();
        StatusEndpoints.Map(app);
        return app;
    }

    private static TBuilder Configure<TBuilder>(TBuilder builder, ReconcilerSettings settings, RunOptions options, IReadOnlyList<TemplateReconciler> templates)
        where TBuilder : IHostApplicationBuilder
    {
        LoggingSetup.Configure(builder.Logging, settings, options);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => KeyValueSourceFactory.Create(settings.Backend));
        builder.Services.AddSingleton(services => SystemdNotifier.FromEnvironment(services.GetRequiredService<ILogger<SystemdNotifier>>()));
        builder.Services.AddAkka("reconciler", (akka, services) =>
        {
            akka.ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActors((system, registry) => PipelineStartup.Start(system, registry, services, settings, templates));
        });
        return builder;
    }
}

using System.Net;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Scheduling;
using Reconciler.Host.Http;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;
using Reconciler.Host.Metrics;
using Reconciler.Host.Systemd;

namespace Reconciler.Host.Daemon;

/// <summary>
/// Runs the pipeline under the generic host until SIGTERM/SIGINT; with <c>reconciler.http.listen</c>
/// set, under a slim web host serving /healthz and /metrics. Shutdown drains first (no new changes;
/// running checks and reloads finish within reconciler.shutdown.timeout), then stops the actors,
/// whose running commands are killed, and exits 0 with no staged file or child left.
/// </summary>
internal static class DaemonRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        await using var services = new ApplyServices(settings);

        // templates are parsed before anything starts, so a broken one is a startup error (exit 2)
        var templates = TemplateApplier.CreateAll(settings, services, keepDiffs: LoggingSetup.MinimumLevel(settings, options) <= LogLevel.Debug);
        using var host = settings.HttpListen.Length == 0
            ? Configure(Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings()), settings, options, templates, services).Build()
            : BuildWithHttp(settings, options, templates, services);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Reconciler");
        RemoveLeftovers(templates, logger);
        EffectiveConfiguration.Log(logger, settings, options);
        LogLastApplies(services, settings, logger);
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

        if (!await services.InFlight.DrainAsync(TimeSpan.FromSeconds(5)))
        {
            logger.LogWarning("Exiting with commands still being stopped");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Where each template was left, from the journal: what the last successful apply brought its service to.</summary>
    private static void LogLastApplies(ApplyServices services, ReconcilerSettings settings, ILogger logger)
    {
        if (services.Journal is not { } journal)
        {
            return;
        }

        // a line at a time, keeping each template's last: the journal may be tens of MB
        var lastApplies = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in ApplyJournal.Each(journal.Path))
            {
                if (entry is { Outcome: "ok" })
                {
                    lastApplies[entry.Template] = entry;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            logger.LogWarning("Cannot read the journal {Journal}: {Reason}", journal.Path, e.Message);
            return;
        }

        foreach (var template in settings.Templates)
        {
            if (lastApplies.GetValueOrDefault(template.Name) is { } last)
            {
                logger.LogInformation(
                    "Last applied {Template} at revision {Revision} on {Time:yyyy-MM-ddTHH:mm:ssZ}: {Applied}",
                    template.Name,
                    last.Revision,
                    last.Time.UtcDateTime,
                    last.Applied);
            }
        }
    }

    private static WebApplication BuildWithHttp(ReconcilerSettings settings, RunOptions options, IReadOnlyList<TemplateApplier> templates, ApplyServices services)
    {
        // Kestrel: the framework's own server (no download), concurrent, and shut down with the host. Empty builders,
        // here and above: the configuration file is the only source of settings (no appsettings.json or environment
        // read from wherever the daemon was started, and no file watcher on that folder)
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPEndPoint.Parse(settings.HttpListen)));
        builder.Services.AddSingleton(new ReconcilerMetrics(settings.Templates.Select(t => t.Name), settings.Fleet.Enabled));
        var app = Configure(builder, settings, options, templates, services).Build();
        StatusEndpoints.Map(app);
        return app;
    }

    private static TBuilder Configure<TBuilder>(
        TBuilder builder,
        ReconcilerSettings settings,
        RunOptions options,
        IReadOnlyList<TemplateApplier> templates,
        ApplyServices apply)
        where TBuilder : IHostApplicationBuilder
    {
        LoggingSetup.Configure(builder.Logging, settings, options);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(apply);
        builder.Services.AddHostedService<ConfigurationReloadSignal>();
        builder.Services.AddSingleton(services => SystemdNotifier.FromEnvironment(services.GetRequiredService<ILogger<SystemdNotifier>>()));
        builder.Services.AddAkka(LocalActorSystem.Name, (akka, provider) =>
        {
            akka.AddHocon(
                    $$"""
                    akka.coordinated-shutdown.phases.service-requests-done.timeout = {{(int)(settings.ShutdownTimeout.TotalMilliseconds + 1000)}}ms
                    akka.scheduler.implementation = "{{typeof(TimerScheduler).AssemblyQualifiedName}}"
                    {{LocalActorSystem.Hocon}}
                    """,
                    HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActors((system, registry) => PipelineStartup.Start(system, registry, provider, settings, templates, apply));
        });
        LocalActorSystem.Register(builder.Services);
        return builder;
    }

    /// <summary>A daemon killed between stage and rename (SIGKILL, power loss) left its staged file behind.</summary>
    private static void RemoveLeftovers(IReadOnlyList<TemplateApplier> templates, ILogger logger)
    {
        foreach (var template in templates)
        {
            if (template.RemoveLeftovers() is > 0 and var removed)
            {
                logger.LogWarning("Removed {Count} staged file(s) a previous run left next to {Dest}", removed, template.Definition.Dest);
            }
        }
    }
}

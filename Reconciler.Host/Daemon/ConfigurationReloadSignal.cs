using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Templates;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.Daemon;

/// <summary>
/// SIGHUP: re-read the configuration file and every template. A valid one is applied (only
/// changed templates re-render, the log level changes at once); a broken one is rejected with
/// one log line and the running configuration stays.
/// </summary>
internal sealed class ConfigurationReloadSignal(
    RunOptions options,
    ReconcilerSettings started,
    ActorSystem system,
    ActorRegistry registry,
    ApplyServices services,
    LogLevelSwitch logLevel,
    ILogger<ConfigurationReloadSignal> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            Reload();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _registration?.Dispose();

    private void Reload()
    {
        system.EventStream.Publish(ConfigurationReloading.Instance);
        logger.LogInformation("SIGHUP: reloading {Config}", options.ConfigFile.Length > 0 ? options.ConfigFile : options.ConfdDir);
        try
        {
            var settings = ConfiguredRun.Load(options);

            // the fleet settings in force are the start's (they take a restart): a new template must stay clear of them too
            if (started.Fleet.Enabled && started.Fleet.OverlapWith(settings.Templates) is { } overlap)
            {
                throw ConfigurationException.For(settings.SourceFile, "reconciler.templates", $"the running reconciler.fleet.prefix {overlap}");
            }

            var level = LoggingSetup.MinimumLevel(settings, options);
            var templates = TemplateApplier.CreateAll(settings, services, keepDiffs: level <= LogLevel.Debug);
            logLevel.Minimum = level;
            registry.Get<PipelineSupervisorActor>().Tell(new ApplyConfiguration(settings, templates));
        }
        catch (Exception e)
        {
            // whatever went wrong, a bad reload must never take the running daemon down
            var reason = e is ConfigurationException or TemplateException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            logger.LogError("Configuration reload rejected, keeping the running configuration: {Reason}", reason);
            system.EventStream.Publish(new ConfigurationReloaded(Succeeded: false));
        }
    }
}

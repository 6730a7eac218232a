using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Templates;

namespace Reconciler.Host.Daemon;

/// <summary>
/// SIGHUP: re-read the configuration file and every template. A valid one is applied (only
/// changed templates re-render); a broken one is rejected with one log line and the running
/// configuration stays.
/// </summary>
public sealed class ConfigurationReloadSignal(
    ReconcilerSettings running,
    ActorSystem system,
    ActorRegistry registry,
    InFlightWork inFlight,
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
        logger.LogInformation("SIGHUP: reloading {Config}", running.SourceFile);
        try
        {
            var settings = SettingsLoader.Load(running.SourceFile);
            var templates = TemplateReconciler.CreateAll(settings, inFlight);
            registry.Get<ReconcilerActor>().Tell(new ApplyConfiguration(settings, templates));
        }
        catch (Exception e) when (e is ConfigurationException or TemplateException)
        {
            logger.LogError("Configuration reload rejected, keeping the running configuration: {Reason}", e.Message);
            system.EventStream.Publish(new ConfigurationReloaded(Succeeded: false));
        }
    }
}

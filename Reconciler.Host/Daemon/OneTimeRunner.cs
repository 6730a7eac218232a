using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Akka.Actor;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.Daemon;

/// <summary>
/// <c>--onetime</c>: one full read, every template applied once, like confd -onetime — through the daemon's own apply
/// path (runtime API, rollback, one reload for the templates sharing a command), so the two cannot behave differently.
/// </summary>
internal static class OneTimeRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        await using var services = new ApplyServices(settings);
        var templates = TemplateApplier.CreateAll(settings, services, keepDiffs: LoggingSetup.MinimumLevel(settings, options) <= LogLevel.Debug);
        using var loggers = LoggingSetup.CreateFactory(settings, options);
        var logger = loggers.CreateLogger("Reconciler");
        EffectiveConfiguration.Log(logger, settings, options);
        if (await CurrentState.ReadAsync(settings, logger, cancellationToken) is not { } read)
        {
            return ExitCodes.Failed;
        }

        var (state, change) = read;
        var system = LocalActorSystem.StartStandalone(loggers);
        try
        {
            var reloader = system.ActorOf(ReloaderActor.Props(services), "reloader");
            var batches = ReloadBatch.For(settings.Templates, ReloadBatch.PatienceFor(settings));
            foreach (var batch in batches.Values.Distinct())
            {
                reloader.Tell(new BatchOpened(batch));
            }

            var applied = await Task.WhenAll(templates.Select(template => template.ApplyAsync(
                new ApplyRequest(state, change.Under(template.Definition.Keys), batches.GetValueOrDefault(template.Definition.Name)) { Trigger = ApplyTrigger.OneTime, Reloader = reloader },
                logger,
                cancellationToken)));
            return applied.Any(a => a.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
        }
        finally
        {
            await system.Terminate();
        }
    }
}

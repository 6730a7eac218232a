using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.Daemon;

/// <summary><c>--onetime</c>: one full read, every template reconciled and reloaded once, like confd -onetime.</summary>
public static class OneTimeRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        var templates = TemplateReconciler.CreateAll(settings, keepDiffs: LoggingSetup.MinimumLevel(settings, options) <= LogLevel.Debug);
        using var loggers = LoggingSetup.CreateFactory(settings, options);
        var logger = loggers.CreateLogger("Reconciler");
        EffectiveConfiguration.Log(logger, settings, options);
        if (await CurrentState.ReadAsync(settings, logger, cancellationToken) is not { } read)
        {
            return ExitCodes.Failed;
        }

        var (state, change) = read;

        var commands = new CommandRunner(CommandEnvironment.From(settings.CommandEnvironment));
        var failures = 0;
        foreach (var template in templates)
        {
            var started = Stopwatch.StartNew();
            var outcome = await template.ReconcileAsync(state, change.Under(template.Definition.Keys), cancellationToken);
            var reload = outcome.NeedsReloadWhen(template.ReloadOwed) && template.Definition.ReloadCommand.Length > 0
                ? template.WithheldUnlessLogged(await commands.RunAsync(template.Definition.ReloadCommand, settings.CommandTimeout, cancellationToken))
                : null;
            if (reload is { Succeeded: true })
            {
                template.ReloadSucceeded();
            }

            new SkippedKeyWarnings().Write(logger, outcome.Template, outcome.Skipped);
            ReconcileLog.Write(logger, outcome, reload, started.Elapsed);
            failures += outcome.Failed || reload is { Succeeded: false } ? 1 : 0;
        }

        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}

using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Display;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.Daemon;

/// <summary>
/// <c>--noop</c>: one full read, every template rendered and checked; a unified diff per changed
/// template on stdout, the verdicts on stderr. Writes and reloads nothing.
/// </summary>
internal static class NoopRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        await using var services = new ApplyServices(settings);
        var templates = TemplateApplier.CreateAll(settings, services);
        using var loggers = LoggingSetup.CreateFactory(settings, options);
        var logger = loggers.CreateLogger("Reconciler");
        if (await CurrentState.ReadAsync(settings, logger, cancellationToken) is not { } read)
        {
            return ExitCodes.Failed;
        }

        var (state, change) = read;
        var scratch = Directory.CreateTempSubdirectory("reconciler-noop-");
        try
        {
            var failures = 0;
            foreach (var template in templates)
            {
                var request = new ApplyRequest(state, change.Under(template.Definition.Keys)) { DryRunFolder = scratch.FullName };
                var outcome = (await template.ApplyAsync(request, logger, cancellationToken)).Outcome;
                await Console.Out.WriteAsync(outcome.Diff is { } diff ? PrintableText.OfLines(diff) : null); // for a terminal: tabs kept, the rest shown
                Report(logger, outcome);
                failures += outcome.Failed ? 1 : 0;
            }

            return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static void Report(ILogger logger, ReconcileOutcome outcome)
    {
        foreach (var key in outcome.Skipped)
        {
            logger.LogWarning("Noop {Template}: skips key {Key}: {Reason}", outcome.Template, key.PrintableKey, key.Reason);
        }

        foreach (var note in outcome.EmptySelections)
        {
            logger.LogWarning("Noop {Template}: {Selection}", outcome.Template, note);
        }

        foreach (var key in outcome.Quarantined)
        {
            logger.LogWarning("Noop {Template}: would quarantine key {Key}: the check refused its change ({Reason})", outcome.Template, key.PrintableKey, key.Reason);
        }

        switch (outcome.Status)
        {
            case ReconcileStatus.RenderFailed:
                logger.LogError("Noop {Template}: render failed at revision {Revision}: {Error}", outcome.Template, outcome.Revision, outcome.Error);
                break;
            case ReconcileStatus.WriteFailed:
                logger.LogError("Noop {Template}: cannot compare with {Dest}: {Error}", outcome.Template, outcome.Dest, outcome.Error);
                break;
            case ReconcileStatus.HeldBack:
                logger.LogWarning("Noop {Template}: held back by {Reason} at revision {Revision}", outcome.Template, outcome.Error, outcome.Revision);
                break;
            case ReconcileStatus.CheckFailed:
                logger.LogError(
                    "Noop {Template}: check-cmd rejects the new {Dest} (exit {ExitCode}), output: {Output}",
                    outcome.Template,
                    outcome.Dest,
                    outcome.Check!.ExitCode,
                    outcome.Check.OutputWithheld ? "(withheld: log-diff = false)" : outcome.Check.Output.TrimEnd());
                break;
            default:
                logger.LogInformation(
                    "Noop {Template}: {Dest} {Verdict} at revision {Revision}",
                    outcome.Template,
                    outcome.Dest,
                    outcome.Status == ReconcileStatus.Unchanged ? "is up to date" : outcome.Check is null ? "would change" : "would change (check passed)",
                    outcome.Revision);
                if (outcome.Status == ReconcileStatus.WouldWrite && outcome.Runtime is { } runtime)
                {
                    // what the runtime API could do from the live file; the socket itself is not asked
                    logger.LogInformation("Noop {Template}: would apply by {Apply}", outcome.Template, runtime.Summary);
                }

                break;
        }
    }
}

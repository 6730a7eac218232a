using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Rendering;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.Daemon;

/// <summary>
/// <c>--noop</c>: one full read, every template rendered and checked; a unified diff per changed
/// template on stdout, the verdicts on stderr. Writes and reloads nothing.
/// </summary>
public static class NoopRunner
{
    public static async Task<int> RunAsync(ReconcilerSettings settings, RunOptions options, CancellationToken cancellationToken)
    {
        var templates = TemplateReconciler.CreateAll(settings);
        using var loggers = LoggingSetup.CreateFactory(settings, options);
        var logger = loggers.CreateLogger("Reconciler");
        if (await CurrentState.ReadAsync(settings, logger, cancellationToken) is not { } read)
        {
            return ExitCodes.Failed;
        }

        var (state, _) = read;

        var scratch = Directory.CreateTempSubdirectory("reconciler-noop-");
        try
        {
            var failures = 0;
            foreach (var template in templates)
            {
                var outcome = await template.DryRunAsync(state, scratch.FullName, cancellationToken);
                await Console.Out.WriteAsync(outcome.Diff);
                Report(logger, outcome, state.Revision);
                failures += outcome.Failed ? 1 : 0;
            }

            return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static void Report(ILogger logger, DryRunOutcome outcome, long revision)
    {
        if (outcome.Error is not null)
        {
            logger.LogError("Noop {Template}: render failed at revision {Revision}: {Error}", outcome.Template, revision, outcome.Error);
        }
        else if (outcome.Check is { Succeeded: false } check)
        {
            logger.LogError(
                "Noop {Template}: check-cmd rejects the new {Dest} (exit {ExitCode}), output: {Output}",
                outcome.Template,
                outcome.Dest,
                check.ExitCode,
                check.Output.TrimEnd());
        }
        else
        {
            logger.LogInformation(
                "Noop {Template}: {Dest} {Verdict} at revision {Revision}",
                outcome.Template,
                outcome.Dest,
                outcome.Diff.Length == 0 ? "is up to date" : outcome.Check is null ? "would change" : "would change (check passed)",
                revision);
            if (outcome.Diff.Length > 0 && outcome.Runtime is { } runtime)
            {
                // what the runtime API could do from the live file; the socket itself is not asked
                logger.LogInformation("Noop {Template}: would apply by {Apply}", outcome.Template, runtime.Summary);
            }
        }
    }
}

using Microsoft.Extensions.Logging;
using Reconciler.Actors.Display;
using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

/// <summary>The one structured log line written per reconcile per template.</summary>
internal static partial class ReconcileLog
{
    /// <param name="trigger">What started the apply (<see cref="ApplyTrigger"/>): only keys changing bring changes.</param>
    public static void Write(ILogger logger, TemplateReconciled reconciled, ApplyTrigger trigger)
    {
        var (outcome, reload, runtime) = (reconciled.Outcome, reconciled.Reload, reconciled.Runtime);
        var failed = reconciled.Failed;
        Reconciled(
            logger,
            failed ? LogLevel.Error : outcome.Status == ReconcileStatus.HeldBack ? LogLevel.Warning : LogLevel.Information,
            outcome.Template,
            outcome.Dest,
            outcome.Revision,
            Changes(outcome, trigger),
            outcome.Bytes,
            Milliseconds(outcome.RenderTime),
            Describe(outcome),
            Milliseconds(outcome.Check?.Duration),
            runtime is { Applied: true } ? $"runtime ({runtime.Commands} commands)" : Describe(reload, reconciled.ReloadRun, outcome),
            Milliseconds(runtime is { Applied: true } ? runtime.Duration : reload?.Duration),
            Milliseconds(reconciled.Total));
        if (outcome.Diff is { Length: > 0 } diff)
        {
            // one entry per line: the systemd console formatter folds a multi-line message into one line
            foreach (var line in diff.TrimEnd().Split('\n'))
            {
                DiffLine(logger, outcome.Template, PrintableText.OfLines(line));
            }
        }

        if (outcome.Check is { Succeeded: false, OutputWithheld: false } check)
        {
            // the output may quote the rendered file, and so registry values: escaped, line breaks kept
            CommandFailed(logger, outcome.Template, "check-cmd", check.ExitCode, PrintableText.OfLines(check.Output.TrimEnd()));
        }

        if (reload is { Succeeded: false, OutputWithheld: false })
        {
            CommandFailed(logger, outcome.Template, "reload-cmd", reload.ExitCode, PrintableText.OfLines(reload.Output.TrimEnd()));
        }
    }

    private static string Describe(ReconcileOutcome outcome) => outcome.Status switch
    {
        ReconcileStatus.Unchanged => "unchanged",
        ReconcileStatus.RenderFailed => $"render failed: {outcome.Error}",
        ReconcileStatus.WriteFailed => $"write failed: {outcome.Error}",
        ReconcileStatus.HeldBack => $"held back by {outcome.Error}",
        ReconcileStatus.CheckFailed when outcome.Check is null => $"failed: {outcome.Error}",
        ReconcileStatus.WouldWrite when outcome.Check is null => "none",
        _ when outcome.Check is null => "none",
        _ when outcome.Check.Succeeded => "ok",
        _ => $"failed: {PrintableText.Of(outcome.Check.Summary)}",
    };

    private static string Describe(CommandResult? reload, ReloadRun? run, ReconcileOutcome outcome) => reload switch
    {
        null when outcome.NeedsReload => "none",
        null => "skipped",
        _ when run is { Templates: > 1 } => $"{Describe(reload)} for {run.Templates} templates",
        _ => Describe(reload),
    };

    /// <summary>
    /// What changed in the registry for this apply: a retry or a configuration reload changed no key, so it says
    /// <c>none (configuration reloaded)</c>, not the keys it carries over (a failed apply's, or every key for a
    /// template the reload changed), which the journal keeps.
    /// </summary>
    private static string Changes(ReconcileOutcome outcome, ApplyTrigger trigger) =>
        trigger == ApplyTrigger.KeysChanged || trigger == ApplyTrigger.OneTime ? outcome.Change.ToString() : $"none ({trigger.Label})";

    private static string Describe(CommandResult reload) => reload.Succeeded ? "ok" : $"failed: {PrintableText.Of(reload.Summary)}";

    private static long Milliseconds(TimeSpan? time) => (long)(time ?? TimeSpan.Zero).TotalMilliseconds;

    [LoggerMessage(
        EventId = 1,
        Message = "Reconciled {Template} dest={Dest} revision={Revision} changes={Changes} bytes={Bytes} render={RenderMs}ms check={Check} ({CheckMs}ms) reload={Reload} ({ReloadMs}ms) total={TotalMs}ms")]
    private static partial void Reconciled(
        ILogger logger,
        LogLevel level,
        string template,
        string dest,
        long revision,
        string changes,
        int bytes,
        long renderMs,
        string check,
        long checkMs,
        string reload,
        long reloadMs,
        long totalMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Template} diff| {Line}")]
    private static partial void DiffLine(ILogger logger, string template, string line);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "{Template} {Command} exited {ExitCode}, output: {Output}")]
    private static partial void CommandFailed(ILogger logger, string template, string command, int exitCode, string output);
}

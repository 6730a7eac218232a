using Microsoft.Extensions.Logging;
using Reconciler.Actors.Display;

namespace Reconciler.Actors.Applying;

/// <param name="Tries">The applies of the streak so far, the first one included.</param>
/// <param name="Reason">The streak's failure (for <see cref="FailureReportKind.Cleared"/>, the one that cleared).</param>
internal sealed record FailureReport(FailureReportKind Kind, int Tries, DateTimeOffset Since, string Reason)
{
    public static readonly FailureReport Succeeded = new(FailureReportKind.Succeeded, 0, DateTimeOffset.MinValue, string.Empty);

    /// <summary>The streak a failure of another kind (or at another revision) ended, if one did.</summary>
    public FailureReport? Ended { get; init; }

    /// <summary>Whether the apply is recorded in the journal.</summary>
    public bool IsRecorded => Kind != FailureReportKind.Repeated;

    /// <summary>Whether the apply gets its reconcile line (a "still failing" one gets the streak's line instead).</summary>
    public bool IsLogged => Kind is not (FailureReportKind.Repeated or FailureReportKind.StillFailing);

    /// <summary>The count for the journal entry: only on a "still failing" one (absent means one try).</summary>
    public int? Repeats => Kind == FailureReportKind.StillFailing ? Tries : null;

    /// <summary>The streak's own lines: "still failing", and "no longer failing" when it ended.</summary>
    public void Write(ILogger logger, string template)
    {
        if (Kind == FailureReportKind.StillFailing)
        {
            logger.LogError(
                "{Template} still failing ({Tries} tries since {Since:yyyy-MM-dd HH:mm:ss}Z): {Reason}",
                template, Tries, Since.UtcDateTime, PrintableText.Of(Reason));
        }

        if ((Kind == FailureReportKind.Cleared ? this : Ended) is { } ended)
        {
            logger.LogInformation(
                "{Template} no longer failing after {Tries} tries since {Since:yyyy-MM-dd HH:mm:ss}Z: {Reason}",
                template, ended.Tries, ended.Since.UtcDateTime, PrintableText.Of(ended.Reason));
        }
    }
}

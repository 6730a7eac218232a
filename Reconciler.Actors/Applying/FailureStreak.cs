using Reconciler.Actors.Journal;

namespace Reconciler.Actors.Applying;

/// <summary>
/// One template's run of applies that fail the same way (same revision, same reason): what of each apply is said.
/// The first failure is recorded and logged as any apply; its retries (with backoff, every 30 s at most) are not,
/// but for a "still failing" line and journal entry every <see cref="StillFailingEvery"/>; the first apply that
/// succeeds, or fails another way, ends the streak with one line. A steady failure then costs a few journal entries
/// an hour, not one per retry (2,880 a day at the 30 s backoff against journal.max-entries' 10,000).
/// </summary>
internal sealed class FailureStreak
{
    /// <summary>
    /// A fixed constant, not a setting: often enough that a log or journal read over the last quarter of an hour
    /// shows the failure still on, rare enough that a weekend of one bad value costs under 300 journal entries.
    /// </summary>
    public static readonly TimeSpan StillFailingEvery = TimeSpan.FromMinutes(10);

    private long _revision;
    private string? _reason;
    private int _tries;
    private DateTimeOffset _since;
    private DateTimeOffset _lastSaid;

    private bool _askedAgain;

    /// <summary>
    /// The operator asked for the apply again (SIGHUP): should it fail the same way, it is said in full, as the first
    /// failure of a new streak, not swallowed as a retry.
    /// </summary>
    public void AskedAgain() => _askedAgain = true;

    /// <summary>The next apply's outcome, and what of it is to be said.</summary>
    /// <param name="failure">Why the apply failed; null when it succeeded.</param>
    public FailureReport Observe(string? failure, long revision, DateTimeOffset now)
    {
        if (failure is not null && _askedAgain)
        {
            _reason = null;
        }

        _askedAgain = false;
        var ongoing = _reason is not null;
        if (failure is not null && ongoing && failure == _reason && revision == _revision)
        {
            _tries++;
            if (now - _lastSaid < StillFailingEvery)
            {
                return new FailureReport(FailureReportKind.Repeated, _tries, _since, failure);
            }

            _lastSaid = now;
            return new FailureReport(FailureReportKind.StillFailing, _tries, _since, failure);
        }

        var ended = ongoing ? new FailureReport(FailureReportKind.Cleared, _tries, _since, _reason!) : null;
        if (failure is null)
        {
            _reason = null;
            return ended ?? FailureReport.Succeeded;
        }

        (_reason, _revision, _tries, _since, _lastSaid) = (failure, revision, 1, now, now);
        return new FailureReport(FailureReportKind.Started, 1, now, failure) { Ended = ended };
    }

    /// <summary>What failed, as the journal entry says it: the file's outcome, and the reload's when one ran.</summary>
    public static string ReasonOf(JournalEntry entry) => entry.Applied == "none" ? entry.File : $"{entry.File}; {entry.Applied}";
}

namespace Reconciler.Actors.Applying;

/// <summary>What a <see cref="FailureStreak"/> makes of one apply.</summary>
internal enum FailureReportKind
{
    /// <summary>It succeeded, and nothing was failing before it.</summary>
    Succeeded,

    /// <summary>The first failure of a streak: recorded and logged as any apply.</summary>
    Started,

    /// <summary>A retry that failed as before: neither recorded nor logged.</summary>
    Repeated,

    /// <summary>A retry that failed as before, the first for <see cref="FailureStreak.StillFailingEvery"/>: one line, one journal entry with the count.</summary>
    StillFailing,

    /// <summary>It succeeded after a streak: recorded and logged as any apply, with one line that the streak ended.</summary>
    Cleared,
}

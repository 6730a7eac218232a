using System.Collections.Immutable;

namespace Reconciler.Actors.Journal;

/// <summary>
/// One apply of one template as the journal keeps it: when, which revision, which keys (names, never values), what
/// happened to the file, how HAProxy (or whatever reload-cmd serves) was brought to it and why, and the diff unless
/// the template has log-diff = false. <see cref="Sequence"/> numbers the entries of one journal, oldest first.
/// </summary>
public sealed record JournalEntry(
    long Sequence,
    DateTimeOffset Time,
    string Template,
    long Revision,
    ImmutableArray<string> Added,
    ImmutableArray<string> Changed,
    ImmutableArray<string> Removed,
    string File,
    string Applied,
    string? Why,
    string Outcome,
    long TotalMs)
{
    /// <summary>Keys named per entry: a 100,000-key change is counted, its first names kept.</summary>
    public const int MostKeyNames = 100;

    /// <summary>A diff longer than this is not kept (a 100,000-line map's first write, say): the entry says so.</summary>
    public const int MostDiffChars = 1024 * 1024;

    public int AddedCount { get; init; }

    public int ChangedCount { get; init; }

    public int RemovedCount { get; init; }

    public string? Diff { get; init; }

    /// <summary>What started the apply: keys changed, configuration reloaded, retry, onetime.</summary>
    public string Trigger { get; init; } = "keys changed";

    /// <summary>How long the render took.</summary>
    public long RenderMs { get; init; }

    /// <summary>How long check-cmd took; 0 without one.</summary>
    public long CheckMs { get; init; }

    /// <summary>How long the runtime change or reload-cmd took; 0 without either.</summary>
    public long ApplyMs { get; init; }

    /// <summary>Keys the file was applied without, because a check refused their change (quarantine); null for none.</summary>
    public ImmutableArray<JournalQuarantinedKey>? Quarantined { get; init; }

    /// <summary>
    /// On a "still failing" entry: how many applies have failed this way since the streak's first entry (the retries
    /// between are not recorded). Null on every other entry, and on those of journals written before it existed.
    /// </summary>
    public int? Repeats { get; init; }

    /// <summary>A failed check-cmd's whole output (its last 64 KiB), stdout and stderr; null when it passed, did not run, or its output is withheld.</summary>
    public string? CheckOutput { get; init; }

    /// <summary>A failed reload-cmd's whole output (its last 64 KiB), as <see cref="CheckOutput"/>.</summary>
    public string? ReloadOutput { get; init; }
}

using System.Globalization;
using Reconciler.Actors.Display;
using Reconciler.Actors.Journal;

namespace Reconciler.Host.CommandLine;

/// <summary>Journal entries as aligned columns, the reason last (it is the longest and the one read whole).</summary>
internal static class HistoryTable
{
    private static readonly string[] Header = ["#", "when (UTC)", "template", "revision", "changes", "file", "applied", "outcome", "ms", "why"];

    public static IEnumerable<string> Lines(IEnumerable<JournalEntry> entries)
    {
        var rows = entries.Select(Row).Prepend(Header).ToList();
        var widths = Enumerable.Range(0, Header.Length - 1).Select(column => rows.Max(row => row[column].Length)).ToList();
        return rows.Select(row => string.Join("  ", row.Select((cell, column) => column < widths.Count ? cell.PadRight(widths[column]) : cell)).TrimEnd());
    }

    // every cell as a terminal may show it: the journal quotes registry text (key names in reasons, a checker's output)
    private static string[] Row(JournalEntry entry) =>
    [.. RawRow(entry).Select(PrintableText.Of)];

    private static string[] RawRow(JournalEntry entry) =>
    [
        entry.Sequence.ToString(CultureInfo.InvariantCulture),
        entry.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        entry.Template,
        entry.Revision.ToString(CultureInfo.InvariantCulture),
        $"+{entry.AddedCount} ~{entry.ChangedCount} -{entry.RemovedCount}",
        Short(entry.File),
        entry.Applied,
        Outcome(entry),
        entry.TotalMs.ToString(CultureInfo.InvariantCulture),
        entry.Why ?? string.Empty,
    ];

    /// <summary>The outcome, with the count on a "still failing" entry: the retries between entries are not recorded.</summary>
    public static string Outcome(JournalEntry entry) =>
        entry.Repeats is { } tries ? string.Create(CultureInfo.InvariantCulture, $"{entry.Outcome} ({tries} tries)") : entry.Outcome;

    // "check failed: exit 1 ..." and the like: the column says what happened, --show says the rest
    private static string Short(string file) => file.Split(':', 2)[0];
}

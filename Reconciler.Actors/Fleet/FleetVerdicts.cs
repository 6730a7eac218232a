using System.Globalization;

namespace Reconciler.Actors.Fleet;

/// <summary>Judges each node's record of a template against the newest mod revision of the template's keys, read at the same etcd revision.</summary>
public static class FleetVerdicts
{
    /// <param name="records">One template's records, one per node.</param>
    /// <param name="newestModRevision">The newest mod revision of the template's keys; 0 when it has none.</param>
    public static IReadOnlyList<FleetRow> Judge(IReadOnlyList<FleetRecord> records, long newestModRevision, DateTimeOffset now)
    {
        // the file most nodes at a revision have is the reference; a tie flags every one of them
        var usual = records.GroupBy(r => r.Revision).ToDictionary(
            g => g.Key,
            g => g.GroupBy(r => r.Sha256, StringComparer.Ordinal).OrderByDescending(s => s.Count()).ToList() is var files
                 && (files.Count == 1 || files[0].Count() > files[1].Count()) ? files[0].Key : null);
        return [.. records.OrderBy(r => r.Node, StringComparer.Ordinal).Select(record =>
        {
            var inSync = record.Outcome == FleetWords.Ok && record.Revision >= newestModRevision;
            var differs = usual[record.Revision] != record.Sha256;
            return new FleetRow(
                record.Node,
                record.Template,
                record.Revision,
                record.Sha256,
                record.Outcome,
                record.How,
                Math.Max(0, (long)(now - record.AppliedAt).TotalSeconds),
                Verdict(record, newestModRevision, differs),
                inSync,
                differs);
        })];
    }

    private static string Verdict(FleetRecord record, long newestModRevision, bool differs)
    {
        var problems = new List<string>();
        if (record.Outcome != FleetWords.Ok)
        {
            problems.Add(record.Outcome.Length == 0 ? "no outcome" : record.Outcome);
        }

        if (record.Revision < newestModRevision)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"behind: its keys changed at {newestModRevision}"));
        }

        if (differs)
        {
            problems.Add("sha256 differs from the other nodes' at this revision");
        }

        return problems.Count == 0 ? "in sync" : string.Join("; ", problems);
    }

    /// <summary>12s, 5m, 3h, 2d.</summary>
    public static string Age(long seconds) => seconds switch
    {
        < 90 => $"{seconds}s",
        < 90 * 60 => $"{seconds / 60}m",
        < 48 * 3600 => $"{seconds / 3600}h",
        _ => $"{seconds / 86400}d",
    };
}

using System.Text;

namespace Reconciler.Bench;

/// <summary>The cold-path comparison as Markdown: per key count, one column per daemon, one row per measure.</summary>
public static class ColdPathReport
{
    public static string Render(IReadOnlyList<ColdPathResult> results, IReadOnlyList<FootprintResult> footprint, int footprintKeys, RunConditions run)
    {
        var text = new StringBuilder();
        if (footprint.Count > 0)
        {
            text.AppendLine($"Footprint as deployed, {footprintKeys:N0} keys:");
            text.AppendLine();
            text.AppendLine($"| measure | {string.Join(" | ", footprint.Select(c => c.Daemon))} |");
            text.AppendLine($"|---|{string.Concat(footprint.Select(_ => "---|"))}");
            text.AppendLine($"| one pass (`--onetime`, confd `-onetime`), p50 / p95 of {footprint[0].OneTime.Count} interleaved runs | {string.Join(" | ", footprint.Select(c => $"{c.OneTime.P50:N0} / {c.OneTime.P95:N0} ms"))} |");
            text.AppendLine($"| {FootprintBenchmarks.ColocatedDaemons} daemons on one host, idle: total PSS (per daemon) | {string.Join(" | ", footprint.Select(c => $"{ColdPathBenchmarks.Megabytes(c.Colocated.ProportionalBytes)} ({ColdPathBenchmarks.Megabytes(c.Colocated.ProportionalBytes / FootprintBenchmarks.ColocatedDaemons)})"))} |");
            text.AppendLine($"| {FootprintBenchmarks.ColocatedDaemons} daemons on one host, idle: total RSS | {string.Join(" | ", footprint.Select(c => ColdPathBenchmarks.Megabytes(c.Colocated.ResidentBytes)))} |");
            text.AppendLine();
        }

        foreach (var size in results.GroupBy(r => r.Keys))
        {
            var columns = size.ToList();
            text.AppendLine($"{size.Key:N0} keys:");
            text.AppendLine();
            text.AppendLine($"| measure | {string.Join(" | ", columns.Select(c => c.Daemon))} |");
            text.AppendLine($"|---|{string.Concat(columns.Select(_ => "---|"))}");
            Row(text, "start → first complete render", columns, c => $"{c.Startup.TotalMilliseconds:N0} ms");
            Row(text, "RSS / PSS idle (12 s after the first render)", columns, c => $"{ColdPathBenchmarks.Megabytes(c.Idle.ResidentBytes)} / {ColdPathBenchmarks.Megabytes(c.Idle.ProportionalBytes)}");
            Row(text, "first change after start + 12 s idle", columns, c => $"{c.FirstChangeMs:0.0} ms");
            Row(text, "sparse changes (5 s idle before each) p50 / max", columns, c => $"{c.Sparse.P50:0.0} / {c.Sparse.Max:0.0} ms");
            Row(text, "… of which the daemon's render / check-cmd (p50, its log)", columns, c => c.SparseOwnTimes is { } own ? $"{own.RenderP50:0} / {own.CheckP50:0} ms" : "—");
            Row(text, "back-to-back changes p50 / p95", columns, c => c.BackToBack is { } b ? $"{b.P50:0.0} / {b.P95:0.0} ms" : "—");
            Row(text, "peak RSS (VmHWM)", columns, c => ColdPathBenchmarks.Megabytes(c.Final.PeakResidentBytes));
            Row(text, "managed assemblies mapped", columns, c => c.Assemblies?.ToString() ?? "—");
            text.AppendLine();
        }

        text.AppendLine($"Measured {run.Started:yyyy-MM-dd HH:mm zzz} in {run.Duration.TotalMinutes:0.0} min with `{run.Command}`: " +
                        $"reconciler {run.ReconcilerVersion}, etcd {run.EtcdVersion} (load average before: {run.LoadBefore}; after: {run.LoadAfter}). " +
                        "Each column is a freshly started process; put→file is from just before the etcd request until dest shows it. " +
                        "Reconciler: quiet = 0, check-cmd `true`; confd: `-watch`, check_cmd `true`, no reload.");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string measure, IEnumerable<ColdPathResult> columns, Func<ColdPathResult, string> cell) =>
        text.AppendLine($"| {measure} | {string.Join(" | ", columns.Select(cell))} |");
}

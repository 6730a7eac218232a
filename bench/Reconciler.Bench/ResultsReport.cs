using System.Text;

namespace Reconciler.Bench;

/// <summary>Where and how the bench ran, printed under the table so a number is never read without its context.</summary>
public sealed record RunConditions(
    DateTimeOffset Started,
    TimeSpan Duration,
    string ReconcilerVersion,
    string EtcdVersion,
    string LoadBefore,
    string LoadAfter,
    string Command);

/// <summary>
/// The Markdown docs/dev/performance.md quotes: measure | confd (watch) reference | target | measured, with the targets and
/// confd's numbers from issue 6, then where the time goes per size (from the daemon's own log) and the conditions.
/// </summary>
public static class ResultsReport
{
    /// <summary>Per key count: confd's put→file time and the p50 target (ms).</summary>
    private static readonly Dictionary<int, (string Confd, double TargetMs)> PutTargets = new()
    {
        [100] = ("~4 ms", 5),
        [10_000] = ("~150 ms", 20),
        [100_000] = ("~1,400 ms", 150),
    };

    private const int MaxBurstReloads = 3;
    private const double BurstSlackMs = 50;
    private const double MaxRssAtSmallestMb = 80;
    private const double MaxPeakAtLargestMb = 200;

    public static string Render(IReadOnlyList<SizeResult> sizes, IReadOnlyList<BurstResult> bursts, RunConditions run)
    {
        var text = new StringBuilder();
        text.AppendLine("| measure | confd (watch) | target | measured |");
        text.AppendLine("|---|---|---|---|");
        foreach (var size in sizes)
        {
            var (confd, targetMs) = PutTargets.GetValueOrDefault(size.Keys, ("—", double.NaN));
            Row(text, $"put→file p50 / p95 / max, {size.Keys:N0} keys ({size.Put.Count} puts)", confd, double.IsNaN(targetMs) ? "—" : $"p50 ≤ {targetMs:0} ms", size.Put.ToString(), double.IsNaN(targetMs) ? null : size.Put.P50 <= targetMs);
            Row(text, $"delete→file p50 / p95 / max, {size.Keys:N0} keys ({size.Delete.Count} deletes)", "—", "—", size.Delete.ToString(), null);
        }

        foreach (var burst in bursts)
        {
            var quiet = burst.Quiet.TotalMilliseconds;
            var debounced = quiet > 0;
            Row(text, $"{Benchmarks.BurstSize}-put burst, quiet = {quiet:0} ms: reloads", "79 per 300 puts", debounced ? $"≤ {MaxBurstReloads}" : "—", $"{burst.Reloads}", debounced ? burst.Reloads <= MaxBurstReloads : null);
            Row(text, $"{Benchmarks.BurstSize}-put burst, quiet = {quiet:0} ms: last put → file complete (puts took {burst.PutSpan.TotalMilliseconds:0} ms)", "—", $"≤ {quiet + BurstSlackMs:0} ms", Ms(burst.LastPutToCompleteMs), burst.LastPutToCompleteMs <= quiet + BurstSlackMs);
        }

        Row(text, $"start → first complete render, {Keys(sizes)} keys", "—", "—", $"{Each(sizes, s => $"{s.Startup.TotalMilliseconds:N0}")} ms", null);
        var smallest = sizes[0];
        var largest = sizes[^1];
        foreach (var size in sizes)
        {
            var (confd, target, met) = size == smallest ? ("25 MB", $"≤ {MaxRssAtSmallestMb:0} MB", Megabytes(size.Memory.ResidentBytes) <= MaxRssAtSmallestMb)
                : size == largest ? ("peak 142 MB", $"peak ≤ {MaxPeakAtLargestMb:0} MB", Megabytes(size.Memory.PeakResidentBytes) <= MaxPeakAtLargestMb)
                : ("—", "—", (bool?)null);
            Row(text, $"RSS / peak RSS (VmHWM), {size.Keys:N0} keys", confd, target, $"{Mb(size.Memory.ResidentBytes)} / {Mb(size.Memory.PeakResidentBytes)}", met);
        }

        Row(text, $"idle CPU over {smallest.Idle.Duration.TotalSeconds:0} s, {Keys(sizes)} keys", "—", "—", $"{Each(sizes, s => $"{s.Idle.Cpu.TotalMilliseconds:0}")} ms", null);
        Row(text, $"idle CPU over {smallest.Idle.Duration.TotalSeconds:0} s after each burst (debounce timers used), quiet = {string.Join(" / ", bursts.Select(b => $"{b.Quiet.TotalMilliseconds:0}"))} ms", "—", "—", $"{string.Join(" / ", bursts.Select(b => $"{b.Idle.Cpu.TotalMilliseconds:0}"))} ms", null);
        var idleRequests = sizes.Sum(s => s.Idle.EtcdRequests);
        Row(text, $"etcd requests while idle ({sizes.Count} × {smallest.Idle.Duration.TotalSeconds:0} s)", "0", "0",
            $"{idleRequests} ({sizes.Sum(s => s.Idle.GrpcMessages):0} gRPC messages, {sizes.Sum(s => s.Idle.RpcsStarted):0} RPCs started, {sizes.Sum(s => s.Idle.RangeReads):0} range reads)",
            idleRequests == 0);

        text.AppendLine();
        text.AppendLine("Where a change's time goes (p50 per size; render and check-cmd from the daemon's own `Reconciled` log lines, whole ms; " +
                        "the rest is etcd commit → watch → fold → route, compare, stage, fsync (alongside check-cmd) + rename, and the probe noticing; the reload runs after the file is in place):");
        text.AppendLine();
        text.AppendLine("| keys | put→file | render | check-cmd | rest | reload (after) |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var size in sizes)
        {
            var rest = size.Put.P50 - size.Stages.RenderMs - size.Stages.CheckMs;
            text.AppendLine($"| {size.Keys:N0} | {Ms(size.Put.P50)} | {Ms(size.Stages.RenderMs)} | {Ms(size.Stages.CheckMs)} | {Ms(rest)} | {Ms(size.Stages.ReloadMs)} |");
        }

        text.AppendLine();
        text.AppendLine(
            $"Measured {run.Started:yyyy-MM-dd HH:mm zzz} in {run.Duration.TotalMinutes:0.0} min with `{run.Command}`: reconciler {run.ReconcilerVersion}, etcd {run.EtcdVersion}, " +
            $"{Environment.ProcessorCount} cores shared with other work (load average before: {run.LoadBefore}; after: {run.LoadAfter}): the numbers move with that load. " +
            $"quiet = 0 except in the quiet = 200 ms burst; check-cmd `true`, reload-cmd appends a line to a file; each size's daemon is freshly started, " +
            $"{Benchmarks.WarmupSamples} put/delete pairs warm it up uncounted, and every change is fully reconciled (reload included) before the next.");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string measure, string confd, string target, string measured, bool? met) =>
        text.AppendLine($"| {measure} | {confd} | {target} | {measured}{(met == false ? " — **missed**" : string.Empty)} |");

    private static string Keys(IReadOnlyList<SizeResult> sizes) => string.Join(" / ", sizes.Select(s => s.Keys.ToString("N0")));

    private static string Each(IReadOnlyList<SizeResult> sizes, Func<SizeResult, string> format) => string.Join(" / ", sizes.Select(format));

    private static string Ms(double milliseconds) => $"{milliseconds:0.#} ms";

    private static double Megabytes(long bytes) => bytes / 1048576.0;

    private static string Mb(long bytes) => $"{Megabytes(bytes):0.0} MB";
}

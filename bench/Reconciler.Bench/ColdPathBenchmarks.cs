using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>What one daemon measured at one key count in the cold-path comparison.</summary>
public sealed record ColdPathResult(
    string Daemon,
    int Keys,
    TimeSpan Startup,
    MemoryUsage Idle,
    double FirstChangeMs,
    Distribution Sparse,
    Distribution? BackToBack,
    MemoryUsage Final,
    int? Assemblies,
    DaemonOwnTimes? SparseOwnTimes);

/// <summary>
/// The daemon's own stage times during the sparse changes (p50 of its <c>Reconciled</c> log lines' render and check-cmd,
/// whole ms): what of put → file is its own work; the rest is etcd → watch → fold, write + fsync + rename, the probe.
/// </summary>
public sealed record DaemonOwnTimes(double RenderP50, double CheckP50);

/// <summary>
/// The cold path (issue 12): each daemon freshly started, start → first complete render, RSS once idle, then changes
/// that each come after <see cref="SparseGap"/> of idle (the first one is the first change the process ever sees,
/// run by whatever the JIT made of it at start), then changes back to back. Reconciler (one column per
/// <see cref="DaemonLaunch"/>) and confd run against the same etcd in the same run.
/// </summary>
public sealed class ColdPathBenchmarks(EtcdServer etcd, string workFolder, TextWriter progress)
{
    private const string ChangeGroup = "cold";
    private const int SparseSamples = 5;
    private const int BackToBackSamples = 30;

    /// <summary>Longer than reconciler.memory.trim-after-idle (10 s), so the idle RSS is the one an operator sees.</summary>
    private static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(12);

    private static readonly TimeSpan SparseGap = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan BackToBackGap = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);

    private int _preloaded;
    private int _started;

    public async Task PreloadAsync(int keys)
    {
        var watch = Stopwatch.StartNew();
        await etcd.PutManyAsync(Enumerable.Range(_preloaded, keys - _preloaded).Select(n => ScenarioKeys.Instance(ScenarioKeys.Preloaded, n)));
        progress.WriteLine($"{keys,7:N0} keys: preloaded {keys - _preloaded:N0} in {watch.ElapsedMilliseconds} ms");
        _preloaded = keys;
    }

    public Task<ColdPathResult> MeasureReconcilerAsync(DaemonLaunch launch, bool backToBack) =>
        MeasureAsync(launch.ToString(), folder => ReconcilerDaemon.Start(folder, etcd.ClientUrl, TimeSpan.Zero, launch), backToBack);

    public Task<ColdPathResult> MeasureConfdAsync(string executable, bool backToBack) =>
        MeasureAsync("confd", folder => ConfdDaemon.Start(executable, folder, etcd.ClientUrl), backToBack);

    private async Task<ColdPathResult> MeasureAsync(string name, Func<string, IMeasuredDaemon> start, bool backToBack)
    {
        var folder = Path.Combine(workFolder, $"cold-{++_started}");
        Directory.CreateDirectory(folder);
        using var daemon = start(folder);
        using var probe = new DestFileProbe(daemon.DestPath);
        TimeSpan startup;
        try
        {
            var renderedAt = await probe.WaitUntilAsync(c => ScenarioKeys.CountServers(c, ScenarioKeys.Preloaded) == _preloaded, StartupTimeout, $"hold {_preloaded} servers");
            startup = Stopwatch.GetElapsedTime(daemon.StartedAt, renderedAt);
        }
        catch (TimeoutException e)
        {
            throw daemon.Failure(e.Message);
        }

        await Task.Delay(IdleSettle);
        var idle = daemon.ReadMemory();
        var assemblies = (daemon as ReconcilerDaemon)?.LoadedAssemblies().Count;

        var reconcilesBefore = (daemon as ReconcilerDaemon)?.ReconcileCount;
        var sparse = new List<double>();
        for (var n = 0; n < SparseSamples; n++)
        {
            sparse.Add(await TimeChangeAsync(daemon, probe, n));
            await Task.Delay(SparseGap);
        }

        var ownTimes = daemon is ReconcilerDaemon reconciler && reconcilesBefore is { } from ? OwnTimes(reconciler.ReconcilesSince(from)) : null;

        Distribution? together = null;
        if (backToBack)
        {
            var samples = new List<double>();
            for (var n = SparseSamples; n < SparseSamples + BackToBackSamples; n++)
            {
                samples.Add(await TimeChangeAsync(daemon, probe, n));
                await Task.Delay(BackToBackGap);
            }

            together = Distribution.Of(samples);
        }

        // leave the prefix as it was preloaded: a put without its delete (odd sample count) is undone
        await etcd.DeletePrefixAsync($"{ScenarioKeys.Prefix}/{ChangeGroup}@");
        var result = new ColdPathResult(name, _preloaded, startup, idle, sparse[0], Distribution.Of(sparse), together, daemon.ReadMemory(), assemblies, ownTimes);
        progress.WriteLine($"{_preloaded,7:N0} keys, {name}: start → first render {startup.TotalMilliseconds:0} ms, idle RSS {Megabytes(idle.ResidentBytes)}, " +
                           $"first change {result.FirstChangeMs:0.0} ms, sparse {result.Sparse}, back to back {together?.ToString() ?? "-"}, " +
                           $"peak RSS {Megabytes(result.Final.PeakResidentBytes)}, assemblies {assemblies?.ToString() ?? "-"}");
        return result;
    }

    private static DaemonOwnTimes OwnTimes(IReadOnlyList<ReconcileRecord> reconciles) => new(
        Distribution.Of([.. reconciles.Select(r => (double)r.RenderMs)]).P50,
        Distribution.Of([.. reconciles.Select(r => (double)r.CheckMs)]).P50);

    /// <summary>Sample <paramref name="n"/>: even ones put a new instance, odd ones delete the one put before.</summary>
    private async Task<double> TimeChangeAsync(IMeasuredDaemon daemon, DestFileProbe probe, int n)
    {
        var key = ScenarioKeys.Instance(ChangeGroup, n / 2);
        var line = ScenarioKeys.ServerLine(ChangeGroup, n / 2);
        var put = n % 2 == 0;
        var seen = probe.WaitUntilAsync(c => c.Contains(line, StringComparison.Ordinal) == put, ChangeTimeout, put ? "show a put" : "show a delete");
        var sentAt = Stopwatch.GetTimestamp();
        _ = put ? await etcd.PutAsync(key.Key, key.Value) : await etcd.DeleteAsync(key.Key);
        try
        {
            return Stopwatch.GetElapsedTime(sentAt, await seen).TotalMilliseconds;
        }
        catch (TimeoutException e)
        {
            throw daemon.Failure(e.Message);
        }
    }

    public static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.0} MB";
}

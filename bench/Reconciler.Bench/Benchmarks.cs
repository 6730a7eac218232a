using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>
/// The measures of issue 6, each against a freshly started daemon (quiet = 0 unless a measure is about
/// debounce) over the bench's etcd, whose key count under the watched prefix only grows between sizes.
/// </summary>
public sealed class Benchmarks(EtcdServer etcd, string workFolder, TextWriter progress)
{
    public const int BurstSize = 500;

    /// <summary>Puts in flight at once during a burst: many instances registering at the same moment.</summary>
    private const int BurstConcurrency = 16;

    /// <summary>Put/delete pairs run before counting: a long-running daemon has its hot paths tiered up by the JIT.</summary>
    public const int WarmupSamples = 10;

    private const string SampleGroup = "bench";

    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Pause between changes once the previous one is fully reconciled (reload included).</summary>
    private static readonly TimeSpan SampleGap = TimeSpan.FromMilliseconds(20);

    /// <summary>Lets the last reload and the runtime's after-work settle before an idle period starts.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    private static readonly string[] IdleCounters = ["grpc_server_msg_received_total", "grpc_server_started_total", "etcd_debugging_mvcc_range_total"];

    private int _preloaded;
    private int _daemonsStarted;

    /// <summary>Latency, startup, memory and idle cost with <paramref name="keys"/> keys under the watched prefix.</summary>
    public async Task<SizeResult> MeasureSizeAsync(int keys, int samples, TimeSpan idle)
    {
        await PreloadAsync(keys);
        using var daemon = StartDaemon(quiet: TimeSpan.Zero);
        using var probe = new DestFileProbe(daemon.DestPath);
        var startup = await WaitForFirstRenderAsync(daemon, probe, keys);
        progress.WriteLine($"{keys,7:N0} keys: first complete render {startup.TotalMilliseconds:0} ms after start");

        var put = new List<double>();
        var delete = new List<double>();
        var reconciles = new List<ReconcileRecord>();
        for (var n = -WarmupSamples; n < samples; n++)
        {
            var line = ScenarioKeys.ServerLine(SampleGroup, n + WarmupSamples);
            var key = ScenarioKeys.Instance(SampleGroup, n + WarmupSamples);
            var (putMs, putReconcile) = await TimeChangeAsync(daemon, probe, () => etcd.PutAsync(key.Key, key.Value), c => c.Contains(line, StringComparison.Ordinal));
            var (deleteMs, deleteReconcile) = await TimeChangeAsync(daemon, probe, () => etcd.DeleteAsync(key.Key), c => !c.Contains(line, StringComparison.Ordinal));
            if (n >= 0)
            {
                put.Add(putMs);
                delete.Add(deleteMs);
                reconciles.Add(putReconcile);
                reconciles.Add(deleteReconcile);
            }
        }

        var result = new SizeResult(keys, startup, Distribution.Of(put), Distribution.Of(delete), StageTimes.Of(reconciles), await MeasureIdleAsync(daemon, idle), daemon.ReadMemory());
        progress.WriteLine($"{keys,7:N0} keys: put→file {result.Put}, delete→file {result.Delete}, render p50 {result.Stages.RenderMs:0} ms, " +
                           $"RSS {Megabytes(result.Memory.ResidentBytes)} (peak {Megabytes(result.Memory.PeakResidentBytes)}), " +
                           $"idle CPU {result.Idle.Cpu.TotalMilliseconds:0} ms, idle etcd requests {result.Idle.EtcdRequests}");
        return result;
    }

    /// <summary>
    /// <see cref="BurstSize"/> new registrations at once over the current keys: time from the last put's
    /// acknowledgement until the file holds all of them, and the reloads the daemon spent on them.
    /// </summary>
    public async Task<BurstResult> MeasureBurstAsync(TimeSpan quiet, TimeSpan idle)
    {
        var group = $"burst-q{quiet.TotalMilliseconds:0}";
        using (var daemon = StartDaemon(quiet))
        using (var probe = new DestFileProbe(daemon.DestPath))
        {
            await WaitForFirstRenderAsync(daemon, probe, _preloaded);
            await Task.Delay(SettleTime);
            var reloadsBefore = daemon.Reloads;
            var complete = probe.WaitUntilAsync(c => ScenarioKeys.CountServers(c, group) == BurstSize, ChangeTimeout, $"hold all {BurstSize} burst keys");

            var firstPutAt = Stopwatch.GetTimestamp();
            long lastRevision = 0;
            await Parallel.ForEachAsync(
                Enumerable.Range(0, BurstSize),
                new ParallelOptions { MaxDegreeOfParallelism = BurstConcurrency },
                async (n, _) =>
                {
                    var key = ScenarioKeys.Instance(group, n);
                    var revision = await etcd.PutAsync(key.Key, key.Value);
                    InterlockedMax(ref lastRevision, revision);
                });
            var lastPutAt = Stopwatch.GetTimestamp();
            var completeAt = await complete;

            // every reload caused by the burst has run once the reconcile of its last revision is logged;
            // a debounced render of the tail would still come within quiet
            await daemon.WaitForReconcileAsync(lastRevision, ChangeTimeout);
            await Task.Delay(quiet + SettleTime);
            var result = new BurstResult(
                quiet,
                Stopwatch.GetElapsedTime(firstPutAt, lastPutAt),
                Milliseconds(lastPutAt, completeAt),
                daemon.Reloads - reloadsBefore,
                await MeasureIdleAsync(daemon, idle)); // after debounce timers ran: what the scheduler costs when nothing is due
            progress.WriteLine($"burst of {BurstSize} at quiet = {quiet.TotalMilliseconds:0} ms: puts took {result.PutSpan.TotalMilliseconds:0} ms, " +
                               $"last put → file complete {result.LastPutToCompleteMs:0.0} ms, {result.Reloads} reload(s)");
            daemon.ThrowIfExited();
            await etcd.DeletePrefixAsync($"{ScenarioKeys.Prefix}/{group}@");
            return result;
        }
    }

    private async Task PreloadAsync(int keys)
    {
        var watch = Stopwatch.StartNew();
        await etcd.PutManyAsync(Enumerable.Range(_preloaded, keys - _preloaded).Select(n => ScenarioKeys.Instance(ScenarioKeys.Preloaded, n)));
        progress.WriteLine($"{keys,7:N0} keys: preloaded {keys - _preloaded:N0} in {watch.ElapsedMilliseconds} ms");
        _preloaded = keys;
    }

    private ReconcilerDaemon StartDaemon(TimeSpan quiet, string? stateDir = null) =>
        ReconcilerDaemon.Start(Path.Combine(workFolder, $"daemon-{++_daemonsStarted}"), etcd.ClientUrl, quiet, stateDir: stateDir);

    /// <summary>
    /// The apply journal's cost: put → the apply's log line (written after the journal's fsynced append) with the
    /// journal off and on, at <paramref name="keys"/> keys, and the bytes one entry takes (a one-key change's diff included; the median).
    /// </summary>
    public async Task<JournalResult> MeasureJournalAsync(int keys, int samples)
    {
        await PreloadAsync(keys);
        var applied = new Dictionary<bool, Distribution>();
        var bytesPerEntry = 0L;
        foreach (var journal in new[] { false, true })
        {
            var stateDir = journal ? Path.Combine(workFolder, $"state-{keys}") : null;
            using var daemon = StartDaemon(TimeSpan.Zero, stateDir);
            using var probe = new DestFileProbe(daemon.DestPath);
            await WaitForFirstRenderAsync(daemon, probe, keys);
            var times = new List<double>();
            for (var n = -WarmupSamples; n < samples; n++)
            {
                var key = ScenarioKeys.Instance($"journal-{journal}", n + WarmupSamples);
                foreach (var change in new Func<Task<long>>[] { () => etcd.PutAsync(key.Key, key.Value), () => etcd.DeleteAsync(key.Key) })
                {
                    var clock = Stopwatch.StartNew();
                    await daemon.WaitForReconcileAsync(await change(), ChangeTimeout);
                    if (n >= 0)
                    {
                        times.Add(clock.Elapsed.TotalMilliseconds);
                    }
                }
            }

            applied[journal] = Distribution.Of(times);
            if (stateDir is not null)
            {
                // the median: the first entry holds the whole first render's diff and would weigh on a mean
                var sizes = File.ReadLines(Path.Combine(stateDir, "journal.jsonl")).Select(line => (long)System.Text.Encoding.UTF8.GetByteCount(line) + 1).Order().ToList();
                bytesPerEntry = sizes.Count == 0 ? 0 : sizes[sizes.Count / 2];
            }
        }

        var result = new JournalResult(keys, applied[false], applied[true], bytesPerEntry);
        progress.WriteLine($"{keys,7:N0} keys: put or delete → applied, journal off {result.Off}, on {result.On}; {result.BytesPerEntry} bytes per entry");
        return result;
    }

    /// <summary>Time from process start until dest first holds every preloaded key (and nothing of a later wait's).</summary>
    private static async Task<TimeSpan> WaitForFirstRenderAsync(ReconcilerDaemon daemon, DestFileProbe probe, int keys)
    {
        try
        {
            var renderedAt = await probe.WaitUntilAsync(c => ScenarioKeys.CountServers(c, ScenarioKeys.Preloaded) == keys, StartupTimeout, $"hold {keys} servers");
            return Stopwatch.GetElapsedTime(daemon.StartedAt, renderedAt);
        }
        catch (TimeoutException e)
        {
            throw daemon.Failure(e.Message);
        }
    }

    /// <summary>
    /// One change: milliseconds from just before the etcd request until dest first showed it, and the daemon's
    /// log record of that reconcile. Returns once the reconcile (reload included) is done, so changes never queue.
    /// </summary>
    private static async Task<(double Milliseconds, ReconcileRecord Reconcile)> TimeChangeAsync(
        ReconcilerDaemon daemon, DestFileProbe probe, Func<Task<long>> change, Func<string, bool> shows)
    {
        var seen = probe.WaitUntilAsync(shows, ChangeTimeout, "show the change");
        var sentAt = Stopwatch.GetTimestamp();
        var revision = await change();
        long seenAt;
        try
        {
            seenAt = await seen;
        }
        catch (TimeoutException e)
        {
            throw daemon.Failure(e.Message);
        }

        var reconcile = await daemon.WaitForReconcileAsync(revision, ChangeTimeout);
        if (reconcile.Check != "ok" || reconcile.Reload != "ok")
        {
            throw daemon.Failure($"reconcile of revision {revision}: check {reconcile.Check}, reload {reconcile.Reload}");
        }

        await Task.Delay(SampleGap);
        return (Milliseconds(sentAt, seenAt), reconcile);
    }

    /// <summary>CPU the daemon burns and requests etcd receives while no key changes.</summary>
    private async Task<IdleResult> MeasureIdleAsync(ReconcilerDaemon daemon, TimeSpan idle)
    {
        await Task.Delay(SettleTime);
        var countersBefore = await etcd.ReadCountersAsync(IdleCounters);
        var cpuBefore = daemon.CpuTime;
        var startedAt = Stopwatch.GetTimestamp();
        await Task.Delay(idle);
        var cpuAfter = daemon.CpuTime;
        var elapsed = Stopwatch.GetElapsedTime(startedAt);
        var countersAfter = await etcd.ReadCountersAsync(IdleCounters);
        double Delta(string counter) => countersAfter[counter] - countersBefore[counter];
        return new IdleResult(elapsed, cpuAfter - cpuBefore, Delta(IdleCounters[0]), Delta(IdleCounters[1]), Delta(IdleCounters[2]));
    }

    private static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.0} MB";

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

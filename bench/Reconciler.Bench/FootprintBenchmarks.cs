using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>What <see cref="FootprintBenchmarks"/> measured for one column (a Reconciler build or confd).</summary>
/// <param name="OneTime">Wall time of a single pass (<c>--onetime</c>, confd <c>-onetime</c>), process start to exit.</param>
/// <param name="Colocated">The memory of <see cref="FootprintBenchmarks.ColocatedDaemons"/> daemons on one host, added up.</param>
public sealed record FootprintResult(string Daemon, Distribution OneTime, MemoryUsage Colocated);

/// <summary>
/// Footprint as users deploy it (issue 20), over the keys the cold path preloaded: <c>reconciler --onetime &amp;&amp; exec
/// haproxy</c> as a container's entrypoint (a single pass, timed in interleaved rounds so that load drifts touch every
/// column alike; dest removed before each, as in a fresh container), and one daemon per container, many per host
/// (<see cref="ColocatedDaemons"/> daemons started from one binary, their PSS added up once all are idle).
/// </summary>
public sealed class FootprintBenchmarks(EtcdServer etcd, string workFolder, TextWriter progress)
{
    public const int ColocatedDaemons = 10;

    private static readonly TimeSpan OneTimeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Longer than reconciler.memory.trim-after-idle (10 s), as for the cold path's idle RSS.</summary>
    private static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(12);

    private int _started;

    public async Task<IReadOnlyList<FootprintResult>> MeasureAsync(IReadOnlyList<DaemonLaunch> launches, string confd, int keys, int rounds)
    {
        var columns = launches.Select(launch => (Name: launch.ToString(), Pass: OneTimeReconciler(launch), Daemon: ReconcilerDaemonFactory(launch)))
            .Append((Name: "confd", Pass: OneTimeConfd(confd), Daemon: ConfdDaemonFactory(confd)))
            .ToList();
        var passes = columns.ToDictionary(c => c.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var column in columns)
            {
                passes[column.Name].Add(await column.Pass(keys));
            }
        }

        var results = new List<FootprintResult>();
        foreach (var column in columns)
        {
            var colocated = await MeasureColocatedAsync(column.Daemon, keys);
            var result = new FootprintResult(column.Name, Distribution.Of(passes[column.Name]), colocated);
            progress.WriteLine($"{keys,7:N0} keys, {column.Name}: one pass {result.OneTime}, {ColocatedDaemons} daemons PSS " +
                               $"{ColdPathBenchmarks.Megabytes(colocated.ProportionalBytes)} (RSS {ColdPathBenchmarks.Megabytes(colocated.ResidentBytes)})");
            results.Add(result);
        }

        return results;
    }

    private Func<int, Task<double>> OneTimeReconciler(DaemonLaunch launch) => keys =>
    {
        var files = ReconcilerDaemon.WriteConfig(NextFolder("onetime"), etcd.ClientUrl, TimeSpan.Zero);
        var start = new ProcessStartInfo(launch.Executable) { ArgumentList = { "--config", files.ConfigPath, "--onetime" } };
        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        return TimePassAsync(start, files.DestPath, keys, launch.Name);
    };

    private Func<int, Task<double>> OneTimeConfd(string executable) => keys =>
    {
        var (confdir, destPath) = ConfdDaemon.WriteConfdir(NextFolder("onetime"));
        return TimePassAsync(ConfdDaemon.StartInfo(executable, confdir, etcd.ClientUrl, watch: false), destPath, keys, "confd");
    };

    private Func<string, IMeasuredDaemon> ReconcilerDaemonFactory(DaemonLaunch launch) =>
        folder => ReconcilerDaemon.Start(folder, etcd.ClientUrl, TimeSpan.Zero, launch);

    private Func<string, IMeasuredDaemon> ConfdDaemonFactory(string executable) =>
        folder => ConfdDaemon.Start(executable, folder, etcd.ClientUrl);

    /// <summary>One pass from process start to exit; it must exit 0 with dest holding every key.</summary>
    private static async Task<double> TimePassAsync(ProcessStartInfo start, string destPath, int keys, string name)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var startedAt = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {name}");
        var output = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(OneTimeTimeout);
        await process.WaitForExitAsync(deadline.Token);
        var elapsed = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
        var servers = File.Exists(destPath) ? ScenarioKeys.CountServers(await File.ReadAllTextAsync(destPath), ScenarioKeys.Preloaded) : 0;
        if (process.ExitCode != 0 || servers != keys)
        {
            throw new InvalidOperationException($"{name} one pass: exit {process.ExitCode}, {servers} of {keys} servers in dest; it said:{Environment.NewLine}{await output}");
        }

        return elapsed;
    }

    /// <summary><see cref="ColocatedDaemons"/> daemons, each with its own dest over the same keys; their memory added up once all are idle.</summary>
    private async Task<MemoryUsage> MeasureColocatedAsync(Func<string, IMeasuredDaemon> start, int keys)
    {
        var daemons = new List<IMeasuredDaemon>();
        try
        {
            for (var n = 0; n < ColocatedDaemons; n++)
            {
                daemons.Add(start(NextFolder("colocated")));
            }

            foreach (var daemon in daemons)
            {
                using var probe = new DestFileProbe(daemon.DestPath);
                await probe.WaitUntilAsync(c => ScenarioKeys.CountServers(c, ScenarioKeys.Preloaded) == keys, RenderTimeout, $"hold {keys} servers");
            }

            await Task.Delay(IdleSettle);
            var memory = daemons.Select(d => d.ReadMemory()).ToList();
            return new MemoryUsage(memory.Sum(m => m.ResidentBytes), memory.Sum(m => m.PeakResidentBytes), memory.Sum(m => m.ProportionalBytes));
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                daemon.Dispose();
            }
        }
    }

    private string NextFolder(string what)
    {
        var folder = Path.Combine(workFolder, $"{what}-{++_started}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Reconciler.Bench;

/// <summary>
/// The real <c>reconciler</c> executable as a child process, over a generated config: the scenario's HAProxy
/// template over <see cref="ScenarioKeys.Prefix"/>, <c>check-cmd = true</c>, and a reload-cmd that appends one
/// line per reload to a file, so reloads can be counted. Its log gives each reconcile's own stage times.
/// </summary>
public sealed class ReconcilerDaemon : IMeasuredDaemon
{
    private readonly DaemonProcess _process;
    private readonly List<ReconcileRecord> _reconciles;

    private ReconcilerDaemon(DaemonProcess process, List<ReconcileRecord> reconciles, string destPath, string reloadLogPath)
    {
        _process = process;
        _reconciles = reconciles;
        DestPath = destPath;
        ReloadLogPath = reloadLogPath;
    }

    /// <summary><see cref="Stopwatch"/> timestamp taken just before the process was started.</summary>
    public long StartedAt => _process.StartedAt;

    public string DestPath { get; }

    public string ReloadLogPath { get; }

    public int Reloads => File.Exists(ReloadLogPath) ? File.ReadLines(ReloadLogPath).Count() : 0;

    /// <summary>User + system CPU time so far (.NET reads utime+stime from <c>/proc/&lt;pid&gt;/stat</c>).</summary>
    public TimeSpan CpuTime => _process.CpuTime;

    /// <summary>Starts the daemon with its config, dest and reload log in <paramref name="folder"/>.</summary>
    /// <param name="stateDir">reconciler.state-dir (the apply journal); none when null.</param>
    public static ReconcilerDaemon Start(string folder, string etcdUrl, TimeSpan quiet, DaemonLaunch? launch = null, string? stateDir = null)
    {
        var files = WriteConfig(folder, etcdUrl, quiet, stateDir);
        return Launch(files.ConfigPath, files.DestPath, files.ReloadLogPath, launch);
    }

    /// <summary>The config <see cref="Start"/> runs on, written to <paramref name="folder"/> (also what a <c>--onetime</c> run reads).</summary>
    public static ReconcilerFiles WriteConfig(string folder, string etcdUrl, TimeSpan quiet, string? stateDir = null)
    {
        Directory.CreateDirectory(folder);
        var files = new ReconcilerFiles(Path.Combine(folder, "reconciler.conf"), Path.Combine(folder, "haproxy.cfg"), Path.Combine(folder, "reloads.log"));
        File.WriteAllText(files.ConfigPath, $$"""
            reconciler {
              backend { type = etcd, endpoints = ["{{etcdUrl}}"] }
              debounce { quiet = {{quiet.TotalMilliseconds}}ms, max = 2s }
              # each change's reload at once, as measured before the 2s default: the per-change cost, not the spacing
              commands.min-reload-interval = 0s
              state-dir = "{{stateDir ?? string.Empty}}"
              templates = [
                {
                  name = haproxy
                  src = "{{Path.Combine(AppContext.BaseDirectory, "haproxy.cfg.sbn")}}"
                  dest = "{{files.DestPath}}"
                  keys = ["{{ScenarioKeys.Prefix}}"]
                  check-cmd = "true"
                  reload-cmd = "echo reloaded >> {{files.ReloadLogPath}}"
                  vars { stats_socket = "{{folder}}/admin.sock", stats_bind = "127.0.0.1:8888", http_bind = "127.0.0.1:8080" }
                }
              ]
            }
            """);
        return files;
    }

    /// <summary>
    /// Starts the daemon (the bench's build unless <paramref name="launch"/> names another) on a config of the caller's,
    /// whose reload-cmd appends a line to <paramref name="reloadLogPath"/>.
    /// </summary>
    public static ReconcilerDaemon Launch(string configPath, string destPath, string reloadLogPath, DaemonLaunch? launch = null)
    {
        launch ??= DaemonLaunch.BuiltWithBench;
        var start = new ProcessStartInfo(launch.Executable)
        {
            ArgumentList = { "--config", configPath, "--log-level", "info" },
        };
        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        // the list exists before the process does: its first log lines may arrive before Start returns
        var reconciles = new List<ReconcileRecord>();
        return new ReconcilerDaemon(DaemonProcess.Start(start, "reconciler", line => Record(reconciles, line)), reconciles, destPath, reloadLogPath);
    }

    /// <summary>Waits for the daemon's log line of the reconcile that covered <paramref name="revision"/> (written once its reload ran).</summary>
    public async Task<ReconcileRecord> WaitForReconcileAsync(long revision, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_reconciles)
            {
                if (_reconciles.Find(r => r.Revision >= revision) is { } record)
                {
                    return record;
                }
            }

            ThrowIfExited();
            await Task.Delay(2);
        }

        throw Failure($"no reconcile of revision {revision} was logged within {timeout.TotalSeconds:0} s");
    }

    /// <summary>The reconciles logged from position <paramref name="from"/> on (see <see cref="ReconcileCount"/>).</summary>
    public IReadOnlyList<ReconcileRecord> ReconcilesSince(int from)
    {
        lock (_reconciles)
        {
            return _reconciles[from..];
        }
    }

    public int ReconcileCount
    {
        get
        {
            lock (_reconciles)
            {
                return _reconciles.Count;
            }
        }
    }

    /// <summary>Resident set size now and its peak, from <c>/proc/&lt;pid&gt;/status</c>.</summary>
    public MemoryUsage ReadMemory()
    {
        ThrowIfExited();
        return MemoryUsage.Of(_process.Id);
    }

    /// <summary>The managed assemblies (.dll) the process has mapped, from <c>/proc/&lt;pid&gt;/maps</c>.</summary>
    public IReadOnlyList<string> LoadedAssemblies() =>
        [.. File.ReadLines($"/proc/{_process.Id}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal)).Select(Path.GetFileName).OfType<string>().Distinct().Order()];

    public void ThrowIfExited() => _process.ThrowIfExited();

    /// <summary>An error carrying the daemon's last log lines, which usually say what went wrong.</summary>
    public InvalidOperationException Failure(string what) => _process.Failure(what);

    public void Dispose() => _process.Dispose();

    private static void Record(List<ReconcileRecord> reconciles, string line)
    {
        if (ReconcileRecord.TryParse(line) is { } record)
        {
            lock (reconciles)
            {
                reconciles.Add(record);
            }
        }
    }
}

/// <summary>Where <see cref="ReconcilerDaemon.WriteConfig"/> put the config, and where that config writes dest and logs reloads.</summary>
public sealed record ReconcilerFiles(string ConfigPath, string DestPath, string ReloadLogPath);

/// <param name="ProportionalBytes">
/// PSS: each page counted once across the processes that share it (one binary's file-backed pages are shared by every
/// daemon started from it), so the PSS of co-located daemons adds up to what they take together.
/// </param>
public sealed record MemoryUsage(long ResidentBytes, long PeakResidentBytes, long ProportionalBytes)
{
    /// <summary>VmRSS and VmHWM (<c>/proc/&lt;pid&gt;/status</c>) and Pss (<c>/proc/&lt;pid&gt;/smaps_rollup</c>) of process <paramref name="pid"/>.</summary>
    public static MemoryUsage Of(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        var rollup = File.ReadAllLines($"/proc/{pid}/smaps_rollup");
        long Kilobytes(string[] lines, string field) => long.Parse(
            lines.First(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture);
        return new MemoryUsage(Kilobytes(status, "VmRSS") * 1024, Kilobytes(status, "VmHWM") * 1024, Kilobytes(rollup, "Pss") * 1024);
    }
}

/// <summary>One <c>Reconciled …</c> log line of the daemon (its default text format), with its stage times in whole milliseconds.</summary>
public sealed partial record ReconcileRecord(long Revision, string Check, string Reload, long RenderMs, long CheckMs, long ReloadMs, long TotalMs)
{
    public static ReconcileRecord? TryParse(string line)
    {
        var match = ReconciledLine().Match(line);
        if (!match.Success)
        {
            return null;
        }

        long Number(string group) => long.Parse(match.Groups[group].ValueSpan, CultureInfo.InvariantCulture);
        return new ReconcileRecord(
            Number("revision"), match.Groups["check"].Value, match.Groups["reload"].Value,
            Number("render"), Number("checkMs"), Number("reloadMs"), Number("total"));
    }

    [GeneratedRegex(@"Reconciled \S+ dest=.* revision=(?<revision>\d+) .* render=(?<render>\d+)ms check=(?<check>.*) \((?<checkMs>\d+)ms\) reload=(?<reload>.*) \((?<reloadMs>\d+)ms\) total=(?<total>\d+)ms$")]
    private static partial Regex ReconciledLine();
}

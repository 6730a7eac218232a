using System.CommandLine;
using System.Diagnostics;
using Reconciler.Bench;

var output = new Option<FileInfo>("--out") { Description = "Markdown file the results table is written to", DefaultValueFactory = _ => new FileInfo("bench/results.md") };
var samples = new Option<int>("--samples") { Description = "Puts and deletes timed at 100 and 10,000 keys", DefaultValueFactory = _ => 200 };
var largeSamples = new Option<int>("--large-samples") { Description = "Puts and deletes timed at 100,000 keys", DefaultValueFactory = _ => 100 };
var idleSeconds = new Option<int>("--idle-seconds") { Description = "Length of each idle period (CPU, etcd requests)", DefaultValueFactory = _ => 10 };
var poolChanges = new Option<bool>("--pool-changes") { Description = "Only measure zero-reload pool changes (issue 11) with a real HAProxy: runtime vs reload mode" };
var coldPath = new Option<bool>("--cold-path") { Description = "Only the cold-path comparison (issue 12): fresh start, sparse and back-to-back changes, RSS, next to confd" };
var levers = new Option<string[]>("--lever")
{
    Description = "With --cold-path: a Reconciler to compare, NAME=EXECUTABLE[,VAR=VALUE...] (empty EXECUTABLE: the bench's build); repeatable",
    AllowMultipleArgumentsPerToken = false,
};
var confd = new Option<FileInfo>("--confd") { Description = "With --cold-path: confd's executable", DefaultValueFactory = _ => new FileInfo("../shared/tools/confd") };
var coldSizes = new Option<int[]>("--cold-sizes") { Description = "With --cold-path: key counts (the largest gets no back-to-back run)", DefaultValueFactory = _ => [100, 10_000, 100_000] };
var root = new RootCommand("Benchmarks the reconciler executable against an etcd it starts itself (issue 6's measures).")
{
    output,
    poolChanges,
    samples,
    largeSamples,
    idleSeconds,
    coldPath,
    levers,
    confd,
    coldSizes,
};
root.SetAction((result, _) => result.GetValue(poolChanges)
    ? RunPoolChangesAsync()
    : result.GetValue(coldPath)
    ? ColdPathAsync(
        result.GetValue(output)!,
        [.. (result.GetValue(levers) is { Length: > 0 } given ? given : ["build="]).Select(DaemonLaunch.Parse)],
        result.GetValue(confd)!,
        result.GetValue(coldSizes)!,
        string.Join(' ', ["scripts/bench.sh", .. args]))
    : RunAsync(
    result.GetValue(output)!,
    result.GetValue(samples),
    result.GetValue(largeSamples),
    TimeSpan.FromSeconds(result.GetValue(idleSeconds)),
    string.Join(' ', ["scripts/bench.sh", .. args])));
return await root.Parse(args).InvokeAsync();

static async Task<int> RunAsync(FileInfo output, int samples, int largeSamples, TimeSpan idle, string command)
{
    var started = DateTimeOffset.Now;
    var loadBefore = LoadAverage();
    var clock = Stopwatch.StartNew();
    var work = Directory.CreateTempSubdirectory("reconciler-bench-");
    try
    {
        using var etcd = await EtcdServer.StartAsync(Path.Combine(work.FullName, "etcd"));
        var bench = new Benchmarks(etcd, work.FullName, Console.Out);
        var sizes = new List<SizeResult> { await bench.MeasureSizeAsync(100, samples, idle) };

        // both bursts over the 100 keys, so they measure debouncing rather than render cost
        BurstResult[] bursts = [await bench.MeasureBurstAsync(TimeSpan.Zero, idle), await bench.MeasureBurstAsync(TimeSpan.FromMilliseconds(200), idle)];
        sizes.Add(await bench.MeasureSizeAsync(10_000, samples, idle));
        sizes.Add(await bench.MeasureSizeAsync(100_000, largeSamples, idle));

        var run = new RunConditions(started, clock.Elapsed, ReconcilerVersion(), await etcd.ReadVersionAsync(), loadBefore, LoadAverage(), command);
        var report = ResultsReport.Render(sizes, bursts, run);
        await File.WriteAllTextAsync(output.FullName, report);
        Console.WriteLine();
        Console.Write(report);
        return 0;
    }
    finally
    {
        work.Delete(recursive: true);
    }
}

static async Task<int> RunPoolChangesAsync()
{
    var work = Directory.CreateTempSubdirectory("reconciler-bench-");
    try
    {
        using var etcd = await EtcdServer.StartAsync(Path.Combine(work.FullName, "etcd"));
        var bench = new PoolChangeBenchmark(etcd, work.FullName, Console.Out);
        var loadBefore = LoadAverage();
        PoolChangeResult[] results = [await bench.MeasureAsync(runtime: true), await bench.MeasureAsync(runtime: false)];
        Console.WriteLine();
        Console.WriteLine($"| mode | reloads per {PoolChangeBenchmark.Events} register/deregister events | applied at runtime | put → first request served by the new instance, p50 / p95 / max |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| confd (reloads on every change) | {PoolChangeBenchmark.Events} | 0 | — |");
        foreach (var result in results)
        {
            Console.WriteLine($"| {result.Mode} | {result.Reloads} | {result.RuntimeApplies} | {result.PutToServed} |");
        }

        Console.WriteLine($"reconciler {ReconcilerVersion()}, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, load average before {loadBefore}, after {LoadAverage()}");
        return 0;
    }
    finally
    {
        work.Delete(recursive: true);
    }
}

static async Task<int> ColdPathAsync(FileInfo output, IReadOnlyList<DaemonLaunch> launches, FileInfo confd, int[] sizes, string command)
{
    var started = DateTimeOffset.Now;
    var loadBefore = LoadAverage();
    var clock = Stopwatch.StartNew();
    var work = Directory.CreateTempSubdirectory("reconciler-bench-");
    try
    {
        using var etcd = await EtcdServer.StartAsync(Path.Combine(work.FullName, "etcd"));
        var bench = new ColdPathBenchmarks(etcd, work.FullName, Console.Out);
        var results = new List<ColdPathResult>();
        foreach (var keys in sizes.Order())
        {
            await bench.PreloadAsync(keys);
            var backToBack = keys < sizes.Max();
            foreach (var launch in launches)
            {
                results.Add(await bench.MeasureReconcilerAsync(launch, backToBack));
            }

            results.Add(await bench.MeasureConfdAsync(confd.FullName, backToBack));
        }

        var run = new RunConditions(started, clock.Elapsed, ReconcilerVersion(), await etcd.ReadVersionAsync(), loadBefore, LoadAverage(), command);
        var report = ColdPathReport.Render(results, run);
        await File.WriteAllTextAsync(output.FullName, report);
        Console.WriteLine();
        Console.Write(report);
        return 0;
    }
    finally
    {
        work.Delete(recursive: true);
    }
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

// "0.1.0+<commit>": the SDK stamps the commit the daemon was built from
static string ReconcilerVersion()
{
    var version = FileVersionInfo.GetVersionInfo(Path.Combine(AppContext.BaseDirectory, "reconciler.dll")).ProductVersion ?? "unknown";
    var plus = version.IndexOf('+');
    return plus < 0 ? version : version[..Math.Min(version.Length, plus + 11)];
}

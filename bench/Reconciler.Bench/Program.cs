using System.CommandLine;
using System.Diagnostics;
using Reconciler.Bench;

var output = new Option<FileInfo>("--out") { Description = "Markdown file the results table is written to", DefaultValueFactory = _ => new FileInfo("bench/results.md") };
var samples = new Option<int>("--samples") { Description = "Puts and deletes timed at 100 and 10,000 keys", DefaultValueFactory = _ => 200 };
var largeSamples = new Option<int>("--large-samples") { Description = "Puts and deletes timed at 100,000 keys", DefaultValueFactory = _ => 100 };
var idleSeconds = new Option<int>("--idle-seconds") { Description = "Length of each idle period (CPU, etcd requests)", DefaultValueFactory = _ => 10 };
var poolChanges = new Option<bool>("--pool-changes") { Description = "Only measure zero-reload pool changes (issue 11) with a real HAProxy: runtime vs reload mode" };
var runtimeFiles = new Option<bool>("--runtime-files") { Description = "Only measure zero-reload maps and certificates (issue 18) with a real HAProxy: runtime vs reload mode" };
var journalCost = new Option<bool>("--journal") { Description = "Only measure the apply journal's cost per apply (issue 19) at 100 and 10,000 keys" };
var coldPath = new Option<bool>("--cold-path") { Description = "Only the cold-path comparison (issue 12): fresh start, sparse and back-to-back changes, RSS, next to confd" };
var levers = new Option<string[]>("--lever")
{
    Description = "With --cold-path: a Reconciler to compare, NAME=EXECUTABLE[,VAR=VALUE...] (empty EXECUTABLE: the bench's build); repeatable",
    AllowMultipleArgumentsPerToken = false,
};
var confd = new Option<FileInfo>("--confd") { Description = "With --cold-path: confd's executable", DefaultValueFactory = _ => new FileInfo("../shared/tools/confd") };
var footprintRounds = new Option<int>("--footprint-rounds")
{
    Description = "With --cold-path: interleaved --onetime runs per column, and the co-located daemons' PSS, at the smallest size (0: neither)",
    DefaultValueFactory = _ => 15,
};
var coldSizes = new Option<int[]>("--cold-sizes") { Description = "With --cold-path: key counts (100,000 and more get no back-to-back run)", DefaultValueFactory = _ => [100, 10_000, 100_000] };
var root = new RootCommand("Benchmarks the reconciler executable against an etcd it starts itself (issue 6's measures).")
{
    output,
    poolChanges,
    runtimeFiles,
    journalCost,
    samples,
    largeSamples,
    idleSeconds,
    coldPath,
    levers,
    confd,
    coldSizes,
    footprintRounds,
};
root.SetAction((result, _) => result.GetValue(poolChanges)
    ? RunPoolChangesAsync()
    : result.GetValue(runtimeFiles)
    ? RunRuntimeFilesAsync()
    : result.GetValue(journalCost)
    ? RunJournalAsync(result.GetValue(samples))
    : result.GetValue(coldPath)
    ? ColdPathAsync(
        result.GetValue(output)!,
        [.. (result.GetValue(levers) is { Length: > 0 } given ? given : ["build="]).Select(DaemonLaunch.Parse)],
        result.GetValue(confd)!,
        result.GetValue(coldSizes)!,
        result.GetValue(footprintRounds),
        string.Join(' ', ["scripts/bench.sh", .. args]))
    : RunAsync(
    result.GetValue(output)!,
    result.GetValue(samples),
    result.GetValue(largeSamples),
    TimeSpan.FromSeconds(result.GetValue(idleSeconds)),
    string.Join(' ', ["scripts/bench.sh", .. args])));
return await root.Parse(args).InvokeAsync();

static Task<int> RunAsync(FileInfo output, int samples, int largeSamples, TimeSpan idle, string command)
{
    var conditions = StartRun(command);
    return WithEtcdAsync(async (etcd, work) =>
    {
        var bench = new Benchmarks(etcd, work, Console.Out);
        var sizes = new List<SizeResult> { await bench.MeasureSizeAsync(100, samples, idle) };

        // both bursts over the 100 keys, so they measure debouncing rather than render cost
        BurstResult[] bursts = [await bench.MeasureBurstAsync(TimeSpan.Zero, idle), await bench.MeasureBurstAsync(TimeSpan.FromMilliseconds(200), idle)];
        sizes.Add(await bench.MeasureSizeAsync(10_000, samples, idle));
        sizes.Add(await bench.MeasureSizeAsync(100_000, largeSamples, idle));

        await WriteReportAsync(output, ResultsReport.Render(sizes, bursts, await conditions(etcd)));
    });
}

static Task<int> RunJournalAsync(int samples) =>
    WithEtcdAsync(async (etcd, work) =>
    {
        var bench = new Benchmarks(etcd, work, Console.Out);
        var loadBefore = LoadAverage();
        JournalResult[] results = [await bench.MeasureJournalAsync(100, samples), await bench.MeasureJournalAsync(10_000, samples)];
        Console.WriteLine();
        Console.WriteLine($"| keys | put or delete → applied, journal off, p50 / p95 / max | journal on | bytes per entry (median) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var result in results)
        {
            Console.WriteLine($"| {result.Keys:N0} | {result.Off} | {result.On} | {result.BytesPerEntry} |");
        }

        Console.WriteLine($"reconciler {ReconcilerVersion()}, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, load average before {loadBefore}, after {LoadAverage()}");
    });

static Task<int> RunRuntimeFilesAsync() =>
    WithEtcdAsync(async (etcd, work) =>
    {
        var bench = new RuntimeFilesBenchmark(etcd, work, Console.Out);
        var loadBefore = LoadAverage();
        RuntimeFilesResult[] results = [await bench.MeasureAsync(runtime: true), await bench.MeasureAsync(runtime: false)];
        Console.WriteLine();
        Console.WriteLine($"| mode | reloads for {RuntimeFilesBenchmark.RouteChanges} route changes and {RuntimeFilesBenchmark.CertificateRotations} rotations | put → route effective, p50 / p95 / max | put → new certificate served, p50 / p95 / max |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var result in results)
        {
            Console.WriteLine($"| {result.Mode} | {result.Reloads} | {result.RouteEffective} | {result.CertificateEffective} |");
        }

        Console.WriteLine($"reconciler {ReconcilerVersion()}, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, load average before {loadBefore}, after {LoadAverage()}");
    });

static Task<int> RunPoolChangesAsync() =>
    WithEtcdAsync(async (etcd, work) =>
    {
        var bench = new PoolChangeBenchmark(etcd, work, Console.Out);
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
    });

static Task<int> ColdPathAsync(FileInfo output, IReadOnlyList<DaemonLaunch> launches, FileInfo confd, int[] sizes, int footprintRounds, string command)
{
    var conditions = StartRun(command);
    return WithEtcdAsync(async (etcd, work) =>
    {
        var bench = new ColdPathBenchmarks(etcd, work, Console.Out);
        var results = new List<ColdPathResult>();
        IReadOnlyList<FootprintResult> footprint = [];
        foreach (var keys in sizes.Order())
        {
            await bench.PreloadAsync(keys);
            // confd takes seconds per change at 100,000 keys: 30 back to back would be most of the run
            var backToBack = keys < 100_000;
            foreach (var launch in launches)
            {
                results.Add(await bench.MeasureReconcilerAsync(launch, backToBack));
            }

            results.Add(await bench.MeasureConfdAsync(confd.FullName, backToBack));
            if (keys == sizes.Min() && footprintRounds > 0)
            {
                footprint = await new FootprintBenchmarks(etcd, work, Console.Out).MeasureAsync(launches, confd.FullName, keys, footprintRounds);
            }
        }

        await WriteReportAsync(output, ColdPathReport.Render(results, footprint, sizes.Min(), await conditions(etcd)));
    });
}

// a temp work folder with an etcd of its own, both gone afterwards
static async Task<int> WithEtcdAsync(Func<EtcdServer, string, Task> measure)
{
    var work = Directory.CreateTempSubdirectory("reconciler-bench-");
    try
    {
        using var etcd = await EtcdServer.StartAsync(Path.Combine(work.FullName, "etcd"));
        await measure(etcd, work.FullName);
        return 0;
    }
    finally
    {
        work.Delete(recursive: true);
    }
}

// when and under what load the run started; the returned function completes the record once it is over
static Func<EtcdServer, Task<RunConditions>> StartRun(string command)
{
    var started = DateTimeOffset.Now;
    var loadBefore = LoadAverage();
    var clock = Stopwatch.StartNew();
    return async etcd => new RunConditions(started, clock.Elapsed, ReconcilerVersion(), await etcd.ReadVersionAsync(), loadBefore, LoadAverage(), command);
}

static async Task WriteReportAsync(FileInfo output, string report)
{
    await File.WriteAllTextAsync(output.FullName, report);
    Console.WriteLine();
    Console.Write(report);
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

// "0.1.0+<commit>": the SDK stamps the commit the daemon was built from
static string ReconcilerVersion()
{
    var version = FileVersionInfo.GetVersionInfo(Path.Combine(AppContext.BaseDirectory, "reconciler.dll")).ProductVersion ?? "unknown";
    var plus = version.IndexOf('+');
    return plus < 0 ? version : version[..Math.Min(version.Length, plus + 11)];
}

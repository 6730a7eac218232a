using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;
using Xunit.Abstractions;

namespace Reconciler.Tests.Integration;

/// <summary>
/// The daemon's memory is bounded by reconciler.backend's max-key-bytes, max-value-bytes and max-prefix-bytes, not by
/// what any registrant writes: the executable against a real etcd carrying far more than the limits.
/// </summary>
[Trait("Executable", "reconciler")]
public sealed class RegistryBoundsTests(ITestOutputHelper output) : IDisposable
{
    private const int Megabyte = 1_000_000;

    // Measured: VmHWM 314-330 MiB with the default limits (32 MiB of keys kept, some 64 MB as UTF-16, and the refused
    // values' buffers until their collection: RefusedGarbage); 958 MiB with limits too high to refuse anything.
    private const long MostRssBytes = 512L * 1024 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-bounds-").FullName;
    private readonly int _port = FreePort.Next();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Registry_data_far_over_the_limits_is_refused_memory_stays_bounded_and_a_legitimate_change_still_applies()
    {
        using var etcd = await EtcdFixture.StartNewAsync();
        var clock = Stopwatch.StartNew();
        await etcd.PutAsync("/apps/web/1", "web-1 127.0.0.1:9001");
        var value = new string('m', Megabyte);

        // before the daemon starts (its full read): 150 values of 1 MB on a path no template reads, 3 names of 1 MB
        for (var i = 0; i < 150; i++)
        {
            await etcd.PutAsync($"/apps/junk/{i:D4}", value);
        }

        for (var i = 0; i < 3; i++)
        {
            await etcd.PutAsync($"/apps/junk/{i}" + new string('n', Megabyte), "x");
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: 153 MB written before start");
        var outFile = Path.Combine(_folder, "out.txt");
        using var daemon = RunningReconciler.Start("--config", WriteConfig(etcd.ClientUrl));
        await Poll.UntilAsync(() => File.Exists(outFile) && File.ReadAllText(outFile) == "web-1 127.0.0.1:9001;", Timeout, () => $"the first render:\n{daemon.Output}");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: first render; VmHWM {Status(daemon.Pid, "VmHWM") / 1024 / 1024} MiB");

        // while it watches: 150 values of 1 MB more, and values over max-value-bytes (1 MiB)
        for (var i = 150; i < 300; i++)
        {
            await etcd.PutAsync($"/apps/junk/{i:D4}", value);
        }

        for (var i = 0; i < 5; i++)
        {
            await etcd.PutAsync($"/apps/huge/{i}", new string('h', 1_200_000));
        }

        // puts of one prefix are folded in order: once this one shows, every one before it was handled
        await etcd.PutAsync("/apps/web/1", "web-1 127.0.0.1:9011");
        await Poll.UntilAsync(() => File.ReadAllText(outFile) == "web-1 127.0.0.1:9011;", Timeout, () => $"the legitimate change:\n{daemon.Output}");
        var metrics = await Http.GetStringAsync($"http://127.0.0.1:{_port}/metrics");
        var health = System.Text.Json.JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{_port}/healthz")).RootElement;

        var highWater = Status(daemon.Pid, "VmHWM");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: 308 MB in the registry; VmHWM {highWater / 1024 / 1024} MiB, VmRSS {Status(daemon.Pid, "VmRSS") / 1024 / 1024} MiB");
        Assert.True(highWater < MostRssBytes, $"VmHWM {highWater / 1024 / 1024} MiB, more than {MostRssBytes / 1024 / 1024} MiB");

        // 33 values of 1 MB fit in max-prefix-bytes (32 MiB); the other 267 are refused, and so are the long names and values
        Assert.Equal(3, Refused(metrics, "max-key-bytes"));
        Assert.Equal(5, Refused(metrics, "max-value-bytes"));
        Assert.Equal(267, Refused(metrics, "max-prefix-bytes"));
        Assert.Equal(275, health.GetProperty("backend").GetProperty("refusedKeys").GetInt64());

        // each refused key is named once, cut short: no log line carries a megabyte
        Assert.All(daemon.StderrLines, line => Assert.True(line.Length < 1000, $"a log line of {line.Length} characters"));
        Assert.Contains(daemon.StderrLines, line => line.Contains("/apps/junk/0nnnn", StringComparison.Ordinal) && line.Contains("…(1000012 bytes)", StringComparison.Ordinal) && line.Contains("max-key-bytes", StringComparison.Ordinal));
        Assert.Equal(1, daemon.CountLines("Key /apps/junk/0299 is not stored: its prefix would hold"));
    }

    /// <summary>A size from /proc/PID/status, in bytes (VmHWM: the most resident memory the process had).</summary>
    private static long Status(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(Regex.Match(line, @"(\d+) kB").Groups[1].Value, CultureInfo.InvariantCulture) * 1024;
    }

    private static double Refused(string metrics, string reason)
    {
        var match = Regex.Match(metrics, $"^reconciler_refused_keys_total\\{{reason=\"{reason}\"\\}} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    private string WriteConfig(string endpoint)
    {
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), """{{ for v in getvs "/apps/web/*" }}{{ v }};{{ end }}""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend.endpoints = ["{{endpoint}}"]
            reconciler.http.listen = "127.0.0.1:{{_port}}"
            reconciler.debounce { quiet = 0ms, max = 1s }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/apps"] }]
            """);
        return config;
    }
}

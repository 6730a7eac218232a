using System.Diagnostics;
using System.Runtime.Versioning;
using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;

namespace Reconciler.Tests.Integration;

/// <summary>
/// scripts/demo.sh as a newcomer runs it, in a copy of the files it uses, with the build the tests run against
/// (DEMO_SKIP_BUILD: a build of its own would take the machine for a minute): it renders, and a plain
/// <c>kill -INT</c> of the script's pid stops the daemon too.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class DemoScriptTests : IDisposable
{
    private const int SigInt = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] UsedFiles = ["scripts/demo.sh", "config/hocon/demo.conf", "config/demo/keys.yaml", "config/templates/haproxy.cfg.sbn"];

    private readonly TempFolder _checkout = new();

    public void Dispose() => _checkout.Dispose();

    [Fact]
    public async Task Kill_int_of_the_scripts_pid_stops_the_daemon_it_started()
    {
        var root = DebianPackage.RepositoryRoot;
        var build = Path.Combine(root, "Reconciler.Host", "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(build, "reconciler")), $"{build}/reconciler is not built: dotnet build Reconciler.sln -c Release");
        foreach (var file in UsedFiles)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_checkout[file])!);
            File.Copy(Path.Combine(root, file), _checkout[file]);
        }

        Directory.CreateDirectory(_checkout["Reconciler.Host/bin/Release"]);
        File.CreateSymbolicLink(_checkout["Reconciler.Host/bin/Release/net10.0"], build);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { _checkout["scripts/demo.sh"] } };
        start.Environment["DEMO_SKIP_BUILD"] = "1";
        using var demo = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        demo.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        demo.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        try
        {
            var rendered = _checkout["demo-output/haproxy.cfg"];
            await Poll.UntilAsync(() => File.Exists(rendered), Timeout, () => $"demo.sh rendered nothing; its output:\n{string.Join('\n', output)}");

            Assert.Equal(0, LibC.kill(demo.Id, SigInt));
            using var stopped = new CancellationTokenSource(Timeout);
            await demo.WaitForExitAsync(stopped.Token);

            Assert.Contains("server", File.ReadAllText(rendered), StringComparison.Ordinal);
            Assert.Empty(ProcessesUsing(_checkout.Path));
            Assert.Equal(0, demo.ExitCode);
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The processes whose command line names <paramref name="folder"/>: the script, and the daemon it started.</summary>
    private static List<string> ProcessesUsing(string folder) =>
    [
        .. Directory.EnumerateDirectories("/proc")
            .Select(process => Path.GetFileName(process))
            .Where(name => name.All(char.IsAsciiDigit))
            .Where(name =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{name}/cmdline").Contains(folder, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false; // it exited meanwhile
                }
            }),
    ];
}

using System.Diagnostics;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>
/// Started by a parent that left SIGCHLD ignored (exec keeps it), the executable still learns how its commands exited:
/// with SIGCHLD ignored every child is reaped at once and no exit status is left to read.
/// </summary>
[Trait("Executable", "reconciler")]
public sealed class ChildSignalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-sigchld-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Started_with_sigchld_ignored_the_check_and_reload_still_report_their_exit_status()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: one\n");
        File.WriteAllText(Path.Combine(_folder, "a.sbn"), """A={{ getv "/a/1" }}""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend { type = file, file.path = "{{_folder}}/keys.yaml" }
            reconciler.templates = [{ name = a, src = a.sbn, dest = a.txt, keys = ["/a"], check-cmd = "exit 0", reload-cmd = "exit 0" }]
            """);

        // perl (Essential in Debian) sets the disposition and execs the executable with it
        var reconciler = ReconcilerProcess.StartInfo(["--config", config, "--onetime"]);
        var start = new ProcessStartInfo("perl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "-e", "$SIG{CHLD} = 'IGNORE'; exec @ARGV or die", reconciler.FileName }.Concat(reconciler.ArgumentList))
        {
            start.ArgumentList.Add(argument);
        }

        var result = await ReconcilerProcess.RunToExitAsync(start);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("check=ok", result.Stderr);
        Assert.Contains("reload=ok", result.Stderr);
        Assert.Equal("A=one", File.ReadAllText(Path.Combine(_folder, "a.txt")));
    }
}

using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>
/// The executable is a child subreaper: a job of a command whose parent exits becomes the daemon's child (so it stays
/// the daemon's to end), and once it exits the daemon reaps it (no zombie is left).
/// </summary>
[Trait("Executable", "reconciler")]
public sealed class ChildSubreaperTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-subreaper-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_orphaned_job_of_a_check_becomes_the_daemon_s_child_and_is_reaped_once_it_exits()
    {
        // The daemon's pid comes in as $1: it is the parent of the check's shell. The subshell exits at once, orphaning
        // its background job. The loop ends once the job's /proc entry is gone, that is once it was reaped (a zombie
        // keeps it); the command timeout bounds it.
        var script = Path.Combine(_folder, "orphan.sh");
        File.WriteAllText(script, $$"""
            ( sleep 5.{{Random.Shared.Next(100_000, 1_000_000)}} & echo $! > "{{_folder}}/orphan" )
            read orphan < "{{_folder}}/orphan"
            parent=$(cut -d' ' -f4 /proc/$orphan/stat)
            kill $orphan
            if [ "$parent" != "$1" ]; then echo "the orphan's parent is $parent, not the daemon $1" >&2; exit 1; fi
            while [ -e /proc/$orphan ]; do sleep 0.05; done
            """);
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: one\n");
        File.WriteAllText(Path.Combine(_folder, "a.sbn"), """A={{ getv "/a/1" }}""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend { type = file, file.path = "{{_folder}}/keys.yaml" }
            reconciler.commands.timeout = 20s
            reconciler.templates = [{ name = a, src = a.sbn, dest = a.txt, keys = ["/a"], check-cmd = "sh {{script}} $PPID" }]
            """);

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("check=ok", result.Stderr);
    }
}

using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>
/// The running daemon maps none of what only Akka.NET's app.config lookup and default JSON serializer would load
/// (Reconciler.Host/Daemon/LocalActorSystem.cs): a local actor system reads no app.config and serialises nothing. The
/// package's native executable maps no assembly at all.
/// </summary>
[Trait("Executable", "reconciler")]
public sealed class ActorSystemFootprintTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-footprint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_idle_daemon_has_loaded_no_app_config_reader_and_no_json_serializer()
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: one\n");
        File.WriteAllText(Path.Combine(_folder, "a.sbn"), """A={{ getv "/a/1" }}""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend { type = file, file.path = "{{_folder}}/keys.yaml" }
            reconciler.templates = [{ name = a, src = a.sbn, dest = a.txt, keys = ["/a"], reload-cmd = "true" }]
            """);
        using var daemon = RunningReconciler.Start("--config", config);
        await daemon.WaitForLineAsync(l => l.Contains("Reconciled a", StringComparison.Ordinal) && l.Contains("reload=ok", StringComparison.Ordinal), "the first apply");

        var mapped = File.ReadLines($"/proc/{daemon.Pid}/maps").Select(l => Path.GetFileName(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])).ToHashSet();

        if (ReconcilerProcess.Published is not null)
        {
            // the package's native executable: the whole program is in it, no runtime or assembly is loaded beside it
            Assert.DoesNotContain(mapped, file => file.EndsWith(".dll", StringComparison.Ordinal) || file.StartsWith("libcoreclr", StringComparison.Ordinal));
            Assert.Contains(Path.GetFileName(ReconcilerProcess.Published), mapped);
            return;
        }

        Assert.Contains("Akka.dll", mapped);
        foreach (var assembly in new[] { "System.Configuration.ConfigurationManager.dll", "System.Private.Xml.dll", "System.Net.WebClient.dll", "Newtonsoft.Json.dll", "System.Runtime.Serialization.Formatters.dll" })
        {
            Assert.DoesNotContain(assembly, mapped);
        }
    }
}

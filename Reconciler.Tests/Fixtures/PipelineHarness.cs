using Akka.Actor;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Applying;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// The real pipeline (watcher, state, renderers, reload queue) in a test's actor system, configured
/// from HOCON written to a temp folder that also holds templates and dest files.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private PipelineHarness(string folder, ReconcilerSettings settings, ApplyServices services, IActorRef root, CapturingLoggerFactory logs)
    {
        Folder = folder;
        Settings = settings;
        Services = services;
        Root = root;
        Logs = logs;
    }

    public string Folder { get; }

    public ReconcilerSettings Settings { get; }

    public IActorRef Root { get; }

    /// <summary>The apply path's shared parts (the reload queue among them), disposed with the harness.</summary>
    public ApplyServices Services { get; }

    public CapturingLoggerFactory Logs { get; }

    /// <summary>Writes <paramref name="files"/> (relative path → content) and reconciler.conf into <paramref name="folder"/>, then starts the pipeline.</summary>
    public static PipelineHarness Start(ActorSystem system, string folder, string hocon, IReadOnlyDictionary<string, string> files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }

        var configFile = Path.Combine(folder, "reconciler.conf");
        File.WriteAllText(configFile, hocon);
        return Start(system, folder, SettingsLoader.Load(configFile));
    }

    /// <summary>Starts the pipeline on settings loaded elsewhere (say, a shipped config file with test overrides); its state dir is in <paramref name="folder"/>.</summary>
    public static PipelineHarness Start(ActorSystem system, string folder, ReconcilerSettings settings)
    {
        settings = settings with { StateDir = Path.Combine(folder, "state") };
        var logs = new CapturingLoggerFactory();
        var services = new ApplyServices(settings);
        var root = system.ActorOf(PipelineSupervisorActor.Props(settings, TemplateApplier.CreateAll(settings, services), services, KeyValueSourceFactory.Create, logs));
        return new PipelineHarness(folder, settings, services, root, logs);
    }

    public string PathOf(string relative) => Path.Combine(Folder, relative);

    public string? ReadOrNull(string relative) => File.Exists(PathOf(relative)) ? File.ReadAllText(PathOf(relative)) : null;

    public int LinesIn(string relative) => File.Exists(PathOf(relative)) ? File.ReadAllLines(PathOf(relative)).Length : 0;

    public async ValueTask DisposeAsync()
    {
        await Root.GracefulStop(TimeSpan.FromSeconds(10));
        await Services.DisposeAsync();
    }
}

using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// The shared parts of the apply path (<see cref="ApplyServices"/>) for one test, appliers over them, the log they
/// write, and the reloader that runs their reloads and runtime changes (in an actor system of its own).
/// </summary>
public sealed class ApplyHarness : IAsyncDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("apply-harness", "akka.loglevel = WARNING");

    /// <param name="stateDir">reconciler.state-dir; none when null.</param>
    public ApplyHarness(TimeSpan? commandTimeout = null, TimeSpan? minReloadInterval = null, string? stateDir = null)
    {
        Services = new ApplyServices(commandTimeout ?? TimeSpan.FromSeconds(20), [], minReloadInterval ?? TimeSpan.Zero) { StateDir = stateDir ?? string.Empty };
        Logger = Logs.CreateLogger("apply");
        Reloader = _system.ActorOf(ReloaderActor.Props(Services), "reloader");
    }

    public ApplyServices Services { get; }

    /// <summary>Runs every reload and runtime change of the harness's appliers.</summary>
    public IActorRef Reloader { get; }

    public CapturingLoggerFactory Logs { get; } = new();

    public ILogger Logger { get; }

    public TemplateApplier Applier(TemplateDefinition definition, string source = TestTemplates.KeyLines) =>
        new(definition, CompiledTemplate.Parse(source, definition.Src), Services);

    /// <summary>Applies <paramref name="state"/>; a <paramref name="batch"/> is opened at the reloader by whoever made it (<see cref="Open"/>).</summary>
    public Task<TemplateReconciled> ApplyAsync(TemplateApplier applier, DesiredState state, StateChange? change = null, ReloadBatch? batch = null, CancellationToken cancellationToken = default) =>
        applier.ApplyAsync(new ApplyRequest(state, change ?? StateChange.None, batch) { Reloader = Reloader }, Logger, cancellationToken);

    /// <summary>A batch of <paramref name="templates"/>, opened at the reloader as the desired-state actor opens one.</summary>
    public ReloadBatch Open(IEnumerable<string> templates, TimeSpan? patience = null)
    {
        var batch = new ReloadBatch(templates, patience ?? TimeSpan.FromMinutes(1));
        Reloader.Tell(new BatchOpened(batch));
        return batch;
    }

    public async ValueTask DisposeAsync()
    {
        await _system.Terminate();
        await Services.DisposeAsync();
    }
}

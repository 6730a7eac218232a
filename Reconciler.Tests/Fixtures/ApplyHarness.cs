using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Fixtures;

/// <summary>The shared parts of the apply path (<see cref="ApplyServices"/>) for one test, appliers over them, and the log they write.</summary>
public sealed class ApplyHarness : IAsyncDisposable
{
    /// <param name="stateDir">reconciler.state-dir; none when null.</param>
    public ApplyHarness(TimeSpan? commandTimeout = null, TimeSpan? minReloadInterval = null, TimeProvider? time = null, string? stateDir = null)
    {
        Services = new ApplyServices(commandTimeout ?? TimeSpan.FromSeconds(20), [], minReloadInterval ?? TimeSpan.Zero, time: time) { StateDir = stateDir ?? string.Empty };
        Logger = Logs.CreateLogger("apply");
    }

    public ApplyServices Services { get; }

    public CapturingLoggerFactory Logs { get; } = new();

    public ILogger Logger { get; }

    public TemplateApplier Applier(TemplateDefinition definition, string source = TestTemplates.KeyLines) =>
        new(definition, CompiledTemplate.Parse(source, definition.Src), Services);

    public Task<TemplateReconciled> ApplyAsync(TemplateApplier applier, DesiredState state, StateChange? change = null, ReloadBatch? batch = null, CancellationToken cancellationToken = default) =>
        applier.ApplyAsync(new ApplyRequest(state, change ?? StateChange.None, batch), Logger, cancellationToken);

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

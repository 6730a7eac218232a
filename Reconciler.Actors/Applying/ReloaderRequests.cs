using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

// What the apply path asks of the reloader (Pipeline/ReloaderActor), here with the apply path since the pipeline
// imports this folder and not the reverse (Layering/FolderDependencyTests).

/// <summary>
/// Applier → reloader: run <paramref name="Command"/> (a template's reload-cmd) in its turn; the answer is the
/// <see cref="ReloadRun"/>. It counts as <paramref name="Template"/>'s arrival at <paramref name="Batch"/>.
/// </summary>
internal sealed record ReloadRequested(string Command, ReloadBatch? Batch, string Template);

/// <summary>
/// Applier → reloader: run <paramref name="Work"/> (a runtime API change, <paramref name="What"/> for the watchdog) in
/// its turn, never while a reload runs; its token is cancelled after <paramref name="Bound"/>. The answer is its
/// <see cref="RuntimeApplyResult"/>, or a <see cref="Akka.Actor.Status.Failure"/> with what it threw.
/// </summary>
internal sealed record RuntimeChangeRequested(string What, Func<CancellationToken, Task<RuntimeApplyResult>> Work, TimeSpan Bound);

/// <summary>State → reloader, before the batch's renderers are told: hold the batch's reload until its templates arrived.</summary>
public sealed record BatchOpened(ReloadBatch Batch);

/// <summary>Applier or renderer → reloader: <paramref name="Template"/> is done with the batch's change, with or without a reload to join.</summary>
internal sealed record BatchArrived(ReloadBatch Batch, string Template);

/// <summary>
/// How the reloader runs a reload command: <paramref name="Run"/> (reconciler.commands.environment), killed after
/// <paramref name="CommandTimeout"/> (commands.timeout); a command runs no sooner than
/// <paramref name="MinReloadInterval"/> after its last run started (commands.min-reload-interval).
/// </summary>
/// <param name="Run">Runs a command line until it exits or its token is cancelled, then kills its process group.</param>
public sealed record ReloaderSettings(Func<string, CancellationToken, Task<CommandResult>> Run, TimeSpan CommandTimeout, TimeSpan MinReloadInterval)
{
    /// <summary>The reloader owns the timeout (its timer cancels the run), so the runner is given none of its own.</summary>
    public static ReloaderSettings Of(ICommandRunner runner, TimeSpan commandTimeout, TimeSpan minReloadInterval) =>
        new((command, token) => runner.RunAsync(command, Timeout.InfiniteTimeSpan, token), commandTimeout, minReloadInterval);
}

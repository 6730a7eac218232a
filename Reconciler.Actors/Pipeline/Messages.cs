using System.Collections.Immutable;
using Akka.Actor;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>Watcher → state: a full read of every watched prefix (first start, or after compaction).</summary>
public sealed record SnapshotLoaded(KeySnapshot Snapshot, ImmutableArray<KeyPrefix> Prefixes);

/// <summary>Watcher → state: ordered changes under one prefix.</summary>
public sealed record KeysChanged(WatchBatch Batch);

/// <summary>Watcher → state: where should a (re)started watcher resume?</summary>
public sealed record GetWatchCursor
{
    public static readonly GetWatchCursor Instance = new();
}

/// <summary>State → watcher: the last revision seen per prefix; empty before the first snapshot.</summary>
public sealed record WatchCursor(ImmutableDictionary<KeyPrefix, long> Revisions)
{
    public bool HasSnapshot => !Revisions.IsEmpty;
}

/// <summary>State → renderer: render this snapshot; <paramref name="Change"/> is what changed under the template's keys since its last render.</summary>
public sealed record RenderRequested(DesiredState State, StateChange Change);

/// <summary>Renderer → reloader: run this reload command (coalesced with equal pending ones).</summary>
public sealed record ReloadRequested(string Template, string Command);

/// <summary>
/// Root → renderer on a configuration reload that kept it: if its last reconcile failed, try again now (a render stopped
/// at its limits is not retried by itself).
/// </summary>
public sealed record RetryFailed
{
    public static readonly RetryFailed Instance = new();
}

/// <summary>
/// Reloader → each renderer waiting for it: a run just started (its own or one ahead of it), which ends within
/// <paramref name="Timeout"/>; the renderer's wait for an answer starts over.
/// </summary>
public sealed record ReloadPending(TimeSpan Timeout);

/// <summary>Root → renderers: the reloader was stopped and this one replaces it; a request still waiting goes to it.</summary>
public sealed record ReloaderReplaced(IActorRef Reloader);

/// <summary>Root → renderer, for the watchdog probe: answer with <see cref="RendererProgress"/>.</summary>
public sealed record GetRendererProgress
{
    public static readonly GetRendererProgress Instance = new();
}

/// <summary>How long the renderer's current reconcile has not moved on (null when idle), and the most that may be.</summary>
public sealed record RendererProgress(TimeSpan? BusyFor, TimeSpan Bound)
{
    public bool Stuck => BusyFor > Bound;
}

/// <summary>Reloader → renderer: how the reload it asked for went.</summary>
public sealed record ReloadCompleted(string Command, CommandResult Result);

/// <summary>
/// Renderer → reloader: apply server changes over the runtime API, in turn with the reload commands (never while a
/// reload runs). <paramref name="Bound"/> is the longest the apply may take (a drain included).
/// </summary>
public sealed record RuntimeApplyRequested(string Template, Func<CancellationToken, Task<RuntimeApplyResult>> Apply, TimeSpan Bound);

/// <summary>Reloader → renderer: how the runtime change it asked for went.</summary>
public sealed record RuntimeApplyCompleted(RuntimeApplyResult Result);

/// <summary>Renderer → listeners (parent, status): one reconcile finished, with its reload result if any.</summary>
public sealed record TemplateReconciled(ReconcileOutcome Outcome, CommandResult? Reload)
{
    /// <summary>The runtime change tried instead of a reload: applied, or why it fell back to <see cref="Reload"/>.</summary>
    public RuntimeApplyResult? Runtime { get; init; }
}

/// <summary>Published on the event stream by the watcher: the backend became reachable, or failed (<paramref name="NoLeader"/>: answering, but without a leader).</summary>
public sealed record BackendStatusChanged(string Backend, bool Reachable, string? Reason, bool NoLeader = false);

/// <summary>Published on the event stream by the state actor after each fold step that moved the state.</summary>
public sealed record StateAdvanced(long Revision, int EventsApplied, int KeyCount);

/// <summary>Shutdown: stop taking new work, finish what is running, then answer <see cref="Drained"/>.</summary>
public sealed record Drain
{
    public static readonly Drain Instance = new();
}

public sealed record Drained
{
    public static readonly Drained Instance = new();
}

/// <summary>State → root: the state actor was restarted and lost the desired state; the pipeline must start over.</summary>
public sealed record DesiredStateLost(string Reason);

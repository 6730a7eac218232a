using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Keeps one template's dest in sync: reconciles each snapshot it is handed (render, compare,
/// check, replace) off the mailbox thread, asks the reloader to reload when the file changed,
/// and writes the reconcile log line. Snapshots arriving meanwhile collapse into the latest.
/// A failed reconcile or reload is retried with backoff, not only on the next change; a reload
/// that failed is owed until one succeeds. A reload that gets no answer within commands.timeout plus a margin
/// (a reloader that stopped or lost the request) counts as failed. A renderer replacing another one (its template
/// changed on a configuration reload) starts once its predecessor finished what it was doing, and takes over whether
/// a reload is owed from it: nothing runs twice, nothing goes unlogged, and a reload that is merely in flight is not
/// mistaken for one that failed.
/// </summary>
public sealed class RendererActor : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "retry";
    private const string ReloadTimer = "reload";

    // beyond commands.timeout: the reloader kills a timed-out command's process group and answers
    private static readonly TimeSpan MaxReloadAnswerMargin = TimeSpan.FromSeconds(10);

    // how long a reloaded HAProxy gets to show the file's pool on its admin socket
    private static readonly TimeSpan PoolCheckPatience = TimeSpan.FromSeconds(10);

    private readonly TemplateReconciler _reconciler;
    private IActorRef _reloader;
    private readonly RetryBackoff _backoff;
    private readonly ILogger _logger;
    private readonly SkippedKeyWarnings _skippedKeys = new();
    private readonly CancellationTokenSource _shutdown = new();
    private CancellationTokenSource _abandonRender = new();
    private RenderRequested? _next;
    private DesiredState? _lastState;
    private StateChange _unapplied = StateChange.None;
    private ReconcileOutcome? _outcome;
    private RuntimeApplyResult? _runtime;
    private Stopwatch _started = new();

    // since the current reconcile last moved on (started, rendered and checked, heard from the reloader): the watchdog's measure
    private readonly Stopwatch _progress = new();
    private int _failures;
    private bool _reloadOwed;
    private bool _awaitingReload;

    // what the reloader was asked for (an answer of the other kind is a stale one), and how long its answer may take from now
    private bool _awaitingRuntime;
    private TimeSpan _answerDue;
    private IActorRef? _drainer;
    private IActorRef? _successor;

    // a restarted renderer keeps its ActorRef: outcomes of the previous instance's reconciles are dropped
    private readonly object _incarnation = new();

    public RendererActor(TemplateReconciler reconciler, IActorRef reloader, RetryBackoff backoff, ILogger logger, bool reloadOwed, IActorRef? predecessor)
    {
        _reconciler = reconciler;
        _reloader = reloader;
        _backoff = backoff;
        _logger = logger;
        _reloadOwed = reloadOwed;
        if (predecessor is null)
        {
            Idle();
        }
        else
        {
            Context.Watch(predecessor);
            predecessor.Tell(HandOver.Instance);
            AwaitingPredecessor(predecessor);
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string ReloadCommand => _reconciler.Definition.ReloadCommand;

    private TimeSpan ReloadAnswerMargin => _reconciler.CommandTimeout < MaxReloadAnswerMargin ? _reconciler.CommandTimeout : MaxReloadAnswerMargin;

    private TimeSpan ReloadAnswerBound => _reconciler.CommandTimeout + ReloadAnswerMargin;

    /// <summary>
    /// The longest a reconcile may go without moving on: render, check, a runtime change's drain, reload and a rollback's reload, each at its bound
    /// (more than any one step takes; a reload queued behind others' hears from the reloader at each run it waits through).
    /// </summary>
    private TimeSpan ReconcileBound =>
        _reconciler.Definition.RenderTimeout + _reconciler.CommandTimeout + RuntimeDrainBound + (2 * ReloadAnswerBound) + ReloadAnswerMargin;

    private TimeSpan RuntimeDrainBound => _reconciler.Definition.Runtime.IsHaproxy ? _reconciler.Definition.Runtime.DrainTimeout : TimeSpan.Zero;

    /// <param name="reloadOwed">The last daemon left a reload owed (a marker next to dest): pay it on the first reconcile.</param>
    /// <param name="predecessor">The renderer of the template's previous definition: it finishes first, then hands over.</param>
    public static Props Props(
        TemplateReconciler reconciler,
        IActorRef reloader,
        RetryBackoff backoff,
        ILogger logger,
        bool reloadOwed = false,
        IActorRef? predecessor = null) =>
        Akka.Actor.Props.Create(() => new RendererActor(reconciler, reloader, backoff, logger, reloadOwed, predecessor));

    protected override void PostStop()
    {
        // abandons an in-flight check: its process group is killed and the staged file removed
        _shutdown.Cancel();
        _shutdown.Dispose();
        _abandonRender.Dispose();
    }

    private void AwaitingPredecessor(IActorRef predecessor)
    {
        Receive<RenderRequested>(Queue);
        Receive<HandedOver>(handedOver => TakeOver(predecessor, handedOver.ReloadOwed));
        Receive<Terminated>(terminated => terminated.ActorRef.Equals(predecessor), _ => TakeOver(predecessor, _reloadOwed || _reconciler.ReloadOwed));
        Receive<HandOver>(_ => _successor = Sender);
        Receive<Drain>(_ => _drainer = Sender);
        Receive<RetryFailed>(_ => { });
        Common();
    }

    /// <param name="reloadOwed">Whether the predecessor left a reload owed; when it stopped without saying, whether the marker next to dest is there.</param>
    private void TakeOver(IActorRef predecessor, bool reloadOwed)
    {
        Context.Unwatch(predecessor);
        _reloadOwed = reloadOwed;
        Become(Idle);
        Continue(retry: false);
    }

    private void Idle()
    {
        Receive<RenderRequested>(Start);
        Receive<HandOver>(_ => HandOverTo(Sender));
        Receive<RetryDue>(_ => Retry());
        Receive<RetryFailed>(_ => _failures > 0, _ => Retry());
        Receive<RetryFailed>(_ => { });
        Receive<Drain>(_ => Drained(Sender));
        Common();
    }

    /// <summary>What it answers in every state but Draining.</summary>
    private void Common()
    {
        Receive<ReloaderReplaced>(OnReloaderReplaced);
        Receive<ReloadPending>(_ => _awaitingReload, OnReloadPending);
        Receive<GetRendererProgress>(_ => Sender.Tell(new RendererProgress(_progress.IsRunning ? _progress.Elapsed : null, ProgressBound)));
    }

    /// <summary>
    /// <see cref="ReconcileBound"/>, or while it waits for the reloader the wait it was told (a run of another template's
    /// queued ahead of its request, such as a runtime change draining for its own drain-timeout, may take longer).
    /// </summary>
    private TimeSpan ProgressBound =>
        _awaitingReload && _answerDue + ReloadAnswerMargin > ReconcileBound ? _answerDue + ReloadAnswerMargin : ReconcileBound;

    private void Busy()
    {
        Receive<RenderRequested>(Queue);
        Receive<Reconciled>(r => ReferenceEquals(r.Incarnation, _incarnation), r => OnReconciled(r.Outcome));
        Receive<HandOver>(_ => _successor = Sender);
        Receive<ReloadCompleted>(_ => _awaitingReload && !_awaitingRuntime, completed => OnReloaded(Withheld(Answered(completed))));
        Receive<RuntimeApplyCompleted>(_ => _awaitingRuntime, completed => OnRuntimeApplied(Answered(completed).Result));
        Receive<ReloadOverdue>(_ => _awaitingReload, _ => OnReloaded(Unanswered()));
        Receive<Drain>(_ => DrainWhenDone(Sender));
        Receive<RetryDue>(_ => { });
        Receive<RetryFailed>(_ => { });
        Receive<Status.Failure>(failure => throw new InvalidOperationException($"reconcile of {_reconciler.Definition.Name} failed", failure.Cause));
        Common();
    }

    private void RollingBack(CommandResult failedReload)
    {
        Receive<RenderRequested>(Queue);
        Receive<RolledBack>(rolledBack => OnRolledBack(rolledBack, failedReload));
        Receive<HandOver>(_ => _successor = Sender);
        Receive<ReloadCompleted>(_ => _awaitingReload && !_awaitingRuntime, completed => OnRollbackReloaded(Withheld(Answered(completed)).Result, failedReload));
        Receive<ReloadOverdue>(_ => _awaitingReload, _ => OnRollbackReloaded(Unanswered().Result, failedReload));
        Receive<Drain>(_ => _drainer = Sender);
        Receive<RetryDue>(_ => { });
        Receive<RetryFailed>(_ => { });
        Receive<Status.Failure>(failure => Finish(failedReload));
        Common();
    }

    private void Draining()
    {
        Receive<Drain>(_ => Sender.Tell(Pipeline.Drained.Instance));
        Receive<GetRendererProgress>(_ => Sender.Tell(new RendererProgress(null, ReconcileBound)));
        ReceiveAny(_ => { });
    }

    /// <summary>Shutdown waits for a running check or reload (bounded by shutdown.timeout), not for a render.</summary>
    private void DrainWhenDone(IActorRef drainer)
    {
        _drainer = drainer;
        _abandonRender.Cancel();
    }

    private void Queue(RenderRequested request) =>
        _next = _next is null ? request : request with { Change = _next.Change.Then(request.Change) };

    private void Start(RenderRequested request)
    {
        Timers.Cancel(RetryTimer);
        _lastState = request.State;
        _started = Stopwatch.StartNew();
        _progress.Restart();
        var incarnation = _incarnation;
        var change = _unapplied.Then(request.Change);
        var token = _shutdown.Token;
        _abandonRender.Dispose();
        _abandonRender = new CancellationTokenSource();
        var abandon = _abandonRender.Token;

        // the render itself is CPU work (a 100,000-key template takes tens of ms): off the mailbox thread
        Task.Run(() => _reconciler.ReconcileAsync(request.State, change, token, abandon), CancellationToken.None)
            .PipeTo(Self, success: outcome => new Reconciled(incarnation, outcome));
        Become(Busy);
    }

    private void Retry()
    {
        if (_lastState is not null)
        {
            Start(new RenderRequested(_lastState, StateChange.None));
        }
    }

    private void OnReconciled(ReconcileOutcome outcome)
    {
        _outcome = outcome;
        if (outcome is { NeedsReload: true, Runtime.Plan: { } plan } && !_reloadOwed && ReloadCommand.Length > 0)
        {
            ApplyAtRuntime(plan, outcome.Runtime.Diff);
        }
        else if (outcome.NeedsReloadWhen(_reloadOwed) && ReloadCommand.Length > 0)
        {
            RequestReload();
        }
        else
        {
            Finish(null);
        }
    }

    private void ApplyAtRuntime(HaproxyRuntimePlan plan, HaproxyConfigDiff diff)
    {
        if (plan.Refusal is { } refusal)
        {
            OnRuntimeApplied(RuntimeApplyResult.FellBack("unsupported", refusal));
            return;
        }

        var applier = _reconciler.RuntimeApplier!;
        var bound = _reconciler.Definition.Runtime.DrainTimeout + _reconciler.CommandTimeout;
        _awaitingReload = true;
        _awaitingRuntime = true;
        _reloader.Tell(new RuntimeApplyRequested(_reconciler.Definition.Name, token => applier.ApplyAsync(plan, diff.Pools, token), bound));
        AwaitAnswer(bound + ReloadAnswerMargin);
    }

    private void OnRuntimeApplied(RuntimeApplyResult result)
    {
        _runtime = result;
        if (result.Applied)
        {
            _reconciler.ReloadSucceeded(); // HAProxy runs what dest holds: no reload owed
            Finish(null);
            return;
        }

        _logger.LogWarning("Runtime change of {Template} falls back to a reload: {Reason}", _reconciler.Definition.Name, result.Reason);
        RequestReload();
    }

    private void OnReloaded(ReloadCompleted completed)
    {
        if (completed.Result.Succeeded && _reconciler.RuntimeApplier is { } applier)
        {
            CompareAfterReload(applier);
        }

        if (completed.Result.Succeeded || !_reconciler.Definition.RollbackOnReloadFailure || !_outcome!.NeedsReload)
        {
            Finish(completed.Result);
            return;
        }

        var failedReload = completed.Result;
        Task.Run(() => _reconciler.RestorePrevious()).PipeTo(Self, success: restored => new RolledBack(restored));
        Become(() => RollingBack(failedReload));
    }

    /// <summary>
    /// A reload makes HAProxy read the file; the running pool should now be the file's. Read-only commands, off the
    /// mailbox: a difference is logged (the next change reloads or applies again), nothing waits for it.
    /// </summary>
    private void CompareAfterReload(HaproxyRuntimeApplier applier)
    {
        var pools = _reconciler.LivePools();
        var template = _reconciler.Definition.Name;
        var logger = _logger;
        var token = _shutdown.Token;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    if (await applier.CompareAfterReloadAsync(pools, PoolCheckPatience, token) is { } mismatch)
                    {
                        logger.LogWarning("After the reload of {Template} the running pool differs from the file: {Mismatch}", template, mismatch);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    // the renderer stopped: nobody is left to tell
                }
            },
            CancellationToken.None);
    }

    private void OnRolledBack(RolledBack rolledBack, CommandResult failedReload)
    {
        if (!rolledBack.Restored)
        {
            Finish(failedReload);
            return;
        }

        _logger.LogWarning("Restored the previous {Dest} of {Template} after its reload failed; reloading it", _reconciler.Definition.Dest, _reconciler.Definition.Name);
        RequestReload();
    }

    private void OnReloadPending(ReloadPending pending) => AwaitAnswer(pending.Timeout + ReloadAnswerMargin);

    private void RequestReload()
    {
        _awaitingReload = true;
        _awaitingRuntime = false;
        _reloader.Tell(new ReloadRequested(_reconciler.Definition.Name, ReloadCommand));
        AwaitAnswer(ReloadAnswerBound);
    }

    /// <summary>The reconcile moved on; without an answer within <paramref name="due"/> the request counts as failed.</summary>
    private void AwaitAnswer(TimeSpan due)
    {
        _progress.Restart();
        _answerDue = due;
        Timers.StartSingleTimer(ReloadTimer, ReloadOverdue.Instance, due);
    }

    private T Answered<T>(T completed)
    {
        _awaitingReload = false;
        _awaitingRuntime = false;
        Timers.Cancel(ReloadTimer);
        return completed;
    }

    private ReloadCompleted Withheld(ReloadCompleted completed) => completed with { Result = _reconciler.WithheldUnlessLogged(completed.Result) };

    private ReloadCompleted Unanswered()
    {
        var what = _awaitingRuntime ? "runtime change" : "reload";
        _awaitingReload = false;
        _awaitingRuntime = false;
        _logger.LogError("The reloader did not answer the {What} of {Template} within {Bound}; counting it as a failed reload", what, _reconciler.Definition.Name, _answerDue);
        return new ReloadCompleted(ReloadCommand, new CommandResult(-1, "no answer from the reloader", _answerDue, TimedOut: true));
    }

    private void OnReloaderReplaced(ReloaderReplaced replaced)
    {
        _reloader = replaced.Reloader;
        if (_awaitingReload)
        {
            RequestReload(); // the stopped reloader's run was killed with it
        }
    }

    private void OnRollbackReloaded(CommandResult result, CommandResult failedReload)
    {
        _logger.Log(
            result.Succeeded ? LogLevel.Information : LogLevel.Error,
            "Reload of the restored {Dest} of {Template}: {Result}",
            _reconciler.Definition.Dest,
            _reconciler.Definition.Name,
            result.Succeeded ? "ok" : result.Summary);
        _reloadOwed = !result.Succeeded;
        Finish(failedReload, reloadSettled: true);
    }

    private void Finish(CommandResult? reload, bool reloadSettled = false)
    {
        var outcome = _outcome!;
        _started.Stop();
        _progress.Reset();
        if (!reloadSettled && reload is not null)
        {
            _reloadOwed = !reload.Succeeded;
        }

        // before the log line: whoever reads "reload=ok" finds the owed-reload marker gone
        if (reload is not null && !_reloadOwed)
        {
            _reconciler.ReloadSucceeded();
        }

        _skippedKeys.Write(_logger, outcome.Template, outcome.Skipped);
        ReconcileLog.Write(_logger, outcome, reload, _started.Elapsed, _runtime);
        var reconciled = new TemplateReconciled(outcome, reload) { Runtime = _runtime };
        _runtime = null;
        Context.Parent.Tell(reconciled);
        Context.System.EventStream.Publish(reconciled);
        _outcome = null;

        var failed = outcome.Failed || reload is { Succeeded: false };
        _unapplied = failed ? outcome.Change : StateChange.None;
        _failures = failed ? _failures + 1 : 0;
        Continue(failed && outcome.WorthRetrying);
    }

    private void Continue(bool retry)
    {
        if (_drainer is not null)
        {
            Drained(_drainer);
        }
        else if (_successor is not null)
        {
            HandOverTo(_successor);
        }
        else if (_next is { } next)
        {
            _next = null;
            Start(next);
        }
        else
        {
            if (retry)
            {
                Timers.StartSingleTimer(RetryTimer, RetryDue.Instance, _backoff.DelayFor(_failures, Random.Shared.NextDouble()));
            }

            Become(Idle);
        }
    }

    /// <summary>Its template's new renderer takes over: this one's requests are stale (the new one renders the current state).</summary>
    private void HandOverTo(IActorRef successor)
    {
        Timers.CancelAll();
        successor.Tell(new HandedOver(_reloadOwed));
        Context.Stop(Self);
    }

    private void Drained(IActorRef drainer)
    {
        Timers.CancelAll();
        drainer.Tell(Pipeline.Drained.Instance);
        Become(Draining);
    }

    private sealed record RetryDue
    {
        public static readonly RetryDue Instance = new();
    }

    /// <summary>Successor → predecessor: finish, then answer <see cref="HandedOver"/> and stop.</summary>
    private sealed record HandOver
    {
        public static readonly HandOver Instance = new();
    }

    private sealed record HandedOver(bool ReloadOwed);

    private sealed record ReloadOverdue
    {
        public static readonly ReloadOverdue Instance = new();
    }

    private sealed record RolledBack(bool Restored);

    private sealed record Reconciled(object Incarnation, ReconcileOutcome Outcome);
}

using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Keeps one template's dest and its service in sync: each snapshot it is handed becomes one apply
/// (<see cref="TemplateApplier.ApplyAsync"/>, off the mailbox), whose one result it publishes; snapshots arriving
/// meanwhile collapse into the latest. A failed apply is retried with backoff, not only on the next change.
/// </summary>
/// <remarks>
/// Its states are <c>Become</c> with one immutable record each, the data moving with every transition:
/// (<see cref="AwaitingPredecessor"/>, while the renderer it replaces finishes its apply of the same dest →)
/// <see cref="Idle"/> → <see cref="Applying"/> → back to Idle, or on to the next request; from Applying,
/// <see cref="HandingOver"/> (its template was replaced: finish, then stop) and <see cref="Draining"/> (shutdown:
/// abandon the render, finish a running check or reload, answer, then <see cref="Drained"/>). Whether a reload is
/// owed is not its business: the dest's <see cref="OwedReload"/> owns that.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor: _stopped is cancelled and disposed in PostStop")]
internal sealed class RendererActor : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "retry";

    private readonly TemplateApplier _applier;
    private readonly IActorRef _reloader;
    private readonly RetryBackoff _backoff;
    private readonly ILogger _logger;

    // cancelled when it stops: a running check is killed and its staged file removed
    private readonly CancellationTokenSource _stopped = new();

    public RendererActor(TemplateApplier applier, IActorRef reloader, RetryBackoff backoff, ILogger logger, IActorRef? predecessor)
    {
        _applier = applier;
        _reloader = reloader;
        _backoff = backoff;
        _logger = logger;
        if (predecessor is null)
        {
            Idle(new IdleState(null, StateChange.None, 0));
            return;
        }

        // one apply of a dest at a time: the renderer it replaces finishes its apply first (already stopped: at once)
        Context.Watch(predecessor);
        AwaitingPredecessor(predecessor, null);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Template => _applier.Definition.Name;

    /// <param name="reloader">Runs its reloads and runtime changes (<see cref="ReloaderActor"/>).</param>
    /// <param name="predecessor">The renderer of the same dest it replaces, whose apply it waits for; null for none.</param>
    public static Props Props(TemplateApplier applier, IActorRef reloader, RetryBackoff backoff, ILogger logger, IActorRef? predecessor = null) =>
        Akka.Actor.Props.Create(() => new RendererActor(applier, reloader, backoff, logger, predecessor));

    protected override void PostStop()
    {
        _stopped.Cancel();
        _stopped.Dispose();
    }

    /// <summary>
    /// Its predecessor (same dest) still applies: what arrives meanwhile waits, merged into the latest, until it stopped.
    /// Retired meanwhile (<paramref name="retired"/>), it too stops only then, so its own successor waits as long.
    /// </summary>
    private void AwaitingPredecessor(IActorRef predecessor, RenderRequested? pending, bool retired = false)
    {
        Receive<RenderRequested>(_ => retired, request => Arrive(request.Batch));
        Receive<RenderRequested>(request =>
        {
            if (pending?.Batch is { } superseded && superseded != request.Batch)
            {
                Arrive(superseded);
            }

            var merged = pending is null ? request : request with { Change = pending.Change.Then(request.Change) };
            Become(() => AwaitingPredecessor(predecessor, merged));
        });
        Receive<Terminated>(terminated => terminated.ActorRef.Equals(predecessor), _ =>
        {
            var idle = new IdleState(null, StateChange.None, 0);
            if (retired)
            {
                Context.Stop(Self);
            }
            else if (pending is null)
            {
                Become(() => Idle(idle));
            }
            else
            {
                Apply(pending, idle);
            }
        });
        Receive<Retire>(_ =>
        {
            Arrive(pending?.Batch);
            Become(() => AwaitingPredecessor(predecessor, null, retired: true));
        });
        Receive<Drain>(_ =>
        {
            Arrive(pending?.Batch);
            Drain(Sender);
        });
        Receive<GetRendererProgress>(_ => Sender.Tell(new RendererProgress("waiting for the previous apply of its dest", TimeSpan.Zero, null)));
        ReceiveAny(_ => { });
    }

    private void Idle(IdleState state)
    {
        Receive<RenderRequested>(request => Apply(request, state));
        Receive<RetryDue>(_ => Retry(state, ApplyTrigger.Retry));
        Receive<RetryFailed>(_ => state.Failures > 0, _ => Retry(state, ApplyTrigger.ConfigurationReloaded));
        Receive<RetryFailed>(_ => { });
        Receive<Retire>(_ => Context.Stop(Self));
        Receive<Drain>(_ => Drain(Sender));
        Receive<Applied>(applied => Publish(applied.Result)); // an apply a restarted incarnation started
        Receive<GetRendererProgress>(_ => Sender.Tell(RendererProgress.Idle));
    }

    private void Applying(ApplyingState state)
    {
        Receive<RenderRequested>(request =>
        {
            if (state.Next?.Batch is { } superseded && superseded != request.Batch)
            {
                Arrive(superseded); // a later request supersedes a waiting one: its batch need not wait for this template
            }

            Become(() => Applying(state.Queue(request)));
        });
        Receive<Applied>(applied => ReferenceEquals(applied.Request, state.Request), applied => Finish(state, applied.Result));
        Receive<Applied>(applied => Publish(applied.Result));
        Receive<Retire>(_ => Become(() => HandingOver(state)));
        Receive<Drain>(_ => AbandonAndDrain(state, Sender));
        Receive<GetRendererProgress>(_ => Sender.Tell(Progress()));
        Receive<Status.Failure>(failure => throw new InvalidOperationException($"apply of {Template} failed", failure.Cause));
        Receive<RetryDue>(_ => { });
        Receive<RetryFailed>(_ => Become(() => Applying(state with { RetryAsked = true })));
    }

    /// <summary>Its template's new renderer takes over: what arrives now is for the successor, which renders the current state.</summary>
    private void HandingOver(ApplyingState state)
    {
        Receive<RenderRequested>(request => Arrive(request.Batch));
        Receive<Applied>(applied => ReferenceEquals(applied.Request, state.Request), applied =>
        {
            Publish(applied.Result);
            Context.Stop(Self);
        });
        Receive<Drain>(_ => AbandonAndDrain(state, Sender));
        Receive<GetRendererProgress>(_ => Sender.Tell(Progress()));

        // a faulted apply ends the hand-over too: the successor waits for this renderer to stop, not for a result
        Receive<Status.Failure>(failure =>
        {
            _logger.LogError(failure.Cause, "The apply of {Template} failed while its successor waited; the successor takes over", Template);
            Context.Stop(Self);
        });
        ReceiveAny(_ => { });
    }

    /// <summary>Shutdown waits for a running check or reload (bounded by shutdown.timeout), not for a render.</summary>
    private void Draining(ApplyingState state, IActorRef drainer)
    {
        Receive<RenderRequested>(request => Arrive(request.Batch));
        Receive<Applied>(applied => ReferenceEquals(applied.Request, state.Request), applied =>
        {
            Publish(applied.Result);
            state.Dispose();
            Drain(drainer);
        });
        Receive<Status.Failure>(_ =>
        {
            state.Dispose();
            Drain(drainer); // a faulted apply is over too: shutdown need not wait out its bound
        });
        Receive<GetRendererProgress>(_ => Sender.Tell(Progress()));
        ReceiveAny(_ => { });
    }

    private void Drained()
    {
        Receive<RenderRequested>(request => Arrive(request.Batch));
        Receive<Drain>(_ => Sender.Tell(Pipeline.Drained.Instance));
        Receive<GetRendererProgress>(_ => Sender.Tell(RendererProgress.Idle));
        ReceiveAny(_ => { });
    }

    private void Apply(RenderRequested request, IdleState idle)
    {
        Timers.Cancel(RetryTimer);
        var abandon = new CancellationTokenSource();
        var apply = new ApplyRequest(request.State, idle.Unapplied.Then(request.Change), request.Batch) { AbandonRender = abandon.Token, Trigger = request.Trigger, Reloader = _reloader };
        _applier.ApplyAsync(apply, _logger, _stopped.Token).PipeTo(Self, success: result => new Applied(apply, result));
        Become(() => Applying(new ApplyingState(apply, null, idle.Failures, abandon)));
    }

    private void Retry(IdleState state, ApplyTrigger trigger)
    {
        if (state.Last is not null)
        {
            Apply(new RenderRequested(state.Last, StateChange.None) { Trigger = trigger }, state);
        }
    }

    private void Finish(ApplyingState state, TemplateReconciled result)
    {
        Publish(result);
        state.Dispose();
        var failed = result.Failed;
        var idle = new IdleState(state.Request.State, failed ? state.Request.Change : StateChange.None, failed ? state.Failures + 1 : 0);
        if (state.Next is { } next)
        {
            Apply(next, idle);
            return;
        }

        if (failed && state.RetryAsked)
        {
            Retry(idle, ApplyTrigger.ConfigurationReloaded); // a SIGHUP came while this apply ran: the operator asked again
            return;
        }

        if (failed && result.Outcome.WorthRetrying)
        {
            Timers.StartSingleTimer(RetryTimer, RetryDue.Instance, _backoff.DelayFor(idle.Failures, Random.Shared.NextDouble()));
        }

        Become(() => Idle(idle));
    }

    private void AbandonAndDrain(ApplyingState state, IActorRef drainer)
    {
        Arrive(state.Next?.Batch);
        state.AbandonRender.Cancel();
        Become(() => Draining(state, drainer));
    }

    private void Drain(IActorRef drainer)
    {
        Timers.CancelAll();
        drainer.Tell(Pipeline.Drained.Instance);
        Become(Drained);
    }

    /// <summary>This template is done with <paramref name="batch"/>'s change: the others' reload need not wait for it.</summary>
    private void Arrive(ReloadBatch? batch)
    {
        if (batch is not null)
        {
            _reloader.Tell(new BatchArrived(batch, Template));
        }
    }

    private static void Publish(TemplateReconciled result) => Context.System.EventStream.Publish(result);

    /// <summary>The apply's step, bounded by its own limit plus a margin for the kill that follows it (at most 10 s).</summary>
    private RendererProgress Progress()
    {
        var (step, elapsed, bound) = _applier.Progress.Current;
        return new RendererProgress(step, elapsed, bound is { } limit ? limit + TimeSpan.FromTicks(Math.Min(limit.Ticks, TimeSpan.FromSeconds(10).Ticks)) : null);
    }

    /// <param name="Last">The state of the last apply, to retry.</param>
    /// <param name="Unapplied">What the last, failed, apply changed: counted in the next one's log line.</param>
    private sealed record IdleState(DesiredState? Last, StateChange Unapplied, int Failures);

    /// <param name="Next">The request that arrived meanwhile, merged with any before it.</param>
    private sealed record ApplyingState(ApplyRequest Request, RenderRequested? Next, int Failures, CancellationTokenSource AbandonRender) : IDisposable
    {
        /// <summary>A SIGHUP asked for a failed apply again while this one ran: should this one fail, it runs once more.</summary>
        public bool RetryAsked { get; init; }

        /// <summary>A later request supersedes a waiting one, their changes merged.</summary>
        public ApplyingState Queue(RenderRequested request) =>
            this with { Next = Next is null ? request : request with { Change = Next.Change.Then(request.Change) } };

        public void Dispose() => AbandonRender.Dispose();
    }

    private sealed record Applied(ApplyRequest Request, TemplateReconciled Result);

    private sealed record RetryDue
    {
        public static readonly RetryDue Instance = new();
    }
}

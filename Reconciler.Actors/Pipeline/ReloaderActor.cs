using System.Globalization;
using Akka.Actor;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Runs reload commands one at a time. A request for a command that is already waiting joins it,
/// so a burst of renders costs one reload; a request for the command that is running waits for
/// the next run (the running one may predate the new file). Every requester gets the result, and
/// hears <see cref="ReloadPending"/> whenever a run starts while it waits, so it can tell a long
/// queue from a reloader that no longer answers. A restarted reloader runs the requests it held.
/// Runtime API changes take their turn in the same queue, so none is sent while a reload runs.
/// </summary>
public sealed class ReloaderActor : ReceiveActor
{
    private readonly CommandRunner _runner;
    private TimeSpan _timeout;
    private readonly InFlightWork? _inFlight;
    private readonly List<PendingReload> _queue = [];
    private readonly CancellationTokenSource _shutdown = new();
    private PendingReload? _running;

    // a restarted reloader keeps its ActorRef: results of the previous instance's runs are dropped
    private readonly object _incarnation = new();

    public ReloaderActor(CommandRunner runner, TimeSpan timeout, InFlightWork? inFlight)
    {
        _runner = runner;
        _timeout = timeout;
        _inFlight = inFlight;
        Receive<ReloadRequested>(OnRequested);
        Receive<RuntimeApplyRequested>(OnRuntimeRequested);
        Receive<ReloadRan>(ran => ReferenceEquals(ran.Incarnation, _incarnation), OnRan);
        Receive<ReloadRan>(_ => { });
        Receive<RuntimeApplied>(applied => ReferenceEquals(applied.Incarnation, _incarnation), OnRuntimeApplied);
        Receive<RuntimeApplied>(_ => { });
        Receive<CommandTimeoutChanged>(changed => _timeout = changed.Timeout); // from the next run on
    }

    public static Props Props(CommandRunner runner, TimeSpan timeout, InFlightWork? inFlight = null) =>
        Akka.Actor.Props.Create(() => new ReloaderActor(runner, timeout, inFlight));

    /// <summary>The requests it held go to the next instance, each from its requester, so every renderer gets an answer.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        foreach (var pending in (_running is null ? _queue : [_running, .. _queue]))
        {
            foreach (var requester in pending.Requesters)
            {
                object request = pending.Runtime is { } runtime
                    ? new RuntimeApplyRequested(pending.Template, runtime, pending.Bound)
                    : new ReloadRequested(pending.Template, pending.Command);
                Self.Tell(request, requester);
            }
        }

        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        // kills a running command's process group
        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    private void OnRequested(ReloadRequested request)
    {
        var waiting = _queue.Find(p => p.Runtime is null && p.Command == request.Command);
        if (waiting is not null)
        {
            waiting.Requesters.Add(Sender);
            return;
        }

        _queue.Add(new PendingReload(request.Template, request.Command, [Sender]));
        RunNext();
    }

    private void OnRuntimeRequested(RuntimeApplyRequested request)
    {
        _queue.Add(new PendingReload(request.Template, $"runtime {request.Template}", [Sender]) { Runtime = request.Apply, Bound = request.Bound });
        RunNext();
    }

    private void OnRuntimeApplied(RuntimeApplied applied)
    {
        _running!.Requesters[0].Tell(new RuntimeApplyCompleted(applied.Result));
        _running = null;
        RunNext();
    }

    private void OnRan(ReloadRan ran)
    {
        foreach (var requester in _running!.Requesters)
        {
            requester.Tell(new ReloadCompleted(ran.Command, ran.Result));
        }

        _running = null;
        RunNext();
    }

    private void RunNext()
    {
        if (_running is not null || _queue.Count == 0)
        {
            return;
        }

        _running = _queue[0];
        _queue.RemoveAt(0);
        var bound = _running.Runtime is null ? _timeout : _running.Bound;
        foreach (var requester in _queue.Prepend(_running).SelectMany(p => p.Requesters))
        {
            requester.Tell(new ReloadPending(bound));
        }

        var incarnation = _incarnation;
        if (_running.Runtime is { } apply)
        {
            Apply(apply, _running.Bound, incarnation);
            return;
        }

        var command = _running.Command;
        var run = _runner.RunAsync(command, _timeout, _shutdown.Token);
        _inFlight?.Track(run);
        run.PipeTo(
            Self,
            success: result => new ReloadRan(incarnation, command, result),
            failure: e => new ReloadRan(incarnation, command, new CommandResult(-1, e.Message, TimeSpan.Zero, false)));
    }

    /// <summary>A runtime change past its bound is cancelled and falls back to a reload, as the renderer has stopped waiting.</summary>
    private void Apply(Func<CancellationToken, Task<RuntimeApplyResult>> apply, TimeSpan bound, object incarnation)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        bounded.CancelAfter(bound);
        var applying = apply(bounded.Token);
        _inFlight?.Track(applying);
        applying.ContinueWith(_ => bounded.Dispose(), TaskScheduler.Default);
        applying.PipeTo(
            Self,
            success: result => new RuntimeApplied(incarnation, result),
            failure: e => new RuntimeApplied(
                incarnation,
                RuntimeApplyResult.FellBack("socket", e is OperationCanceledException ? string.Create(CultureInfo.InvariantCulture, $"no result within {bound.TotalSeconds:0.###}s") : e.Message)));
    }

    /// <summary>Root → reloader: a configuration reload changed reconciler.commands.timeout.</summary>
    public sealed record CommandTimeoutChanged(TimeSpan Timeout);

    private sealed record PendingReload(string Template, string Command, List<IActorRef> Requesters)
    {
        public Func<CancellationToken, Task<RuntimeApplyResult>>? Runtime { get; init; }

        /// <summary>The longest a runtime apply may take; a command's bound is commands.timeout.</summary>
        public TimeSpan Bound { get; init; }
    }

    private sealed record RuntimeApplied(object Incarnation, RuntimeApplyResult Result);

    private sealed record ReloadRan(object Incarnation, string Command, CommandResult Result);
}

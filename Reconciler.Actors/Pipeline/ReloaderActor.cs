using Akka.Actor;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Runs reload commands one at a time. A request for a command that is already waiting joins it,
/// so a burst of renders costs one reload; a request for the command that is running waits for
/// the next run (the running one may predate the new file). Every requester gets the result.
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

    public ReloaderActor(CommandRunner runner, TimeSpan timeout, InFlightWork? inFlight)
    {
        _runner = runner;
        _timeout = timeout;
        _inFlight = inFlight;
        Receive<ReloadRequested>(OnRequested);
        Receive<ReloadRan>(OnRan);
        Receive<RuntimeApplyRequested>(OnRuntimeRequested);
        Receive<RuntimeApplied>(OnRuntimeApplied);
        Receive<CommandTimeoutChanged>(changed => _timeout = changed.Timeout); // from the next run on
    }

    public static Props Props(CommandRunner runner, TimeSpan timeout, InFlightWork? inFlight = null) =>
        Akka.Actor.Props.Create(() => new ReloaderActor(runner, timeout, inFlight));

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

        _queue.Add(new PendingReload(request.Command, [Sender]));
        RunNext();
    }

    private void OnRuntimeRequested(RuntimeApplyRequested request)
    {
        _queue.Add(new PendingReload($"runtime {request.Template}", [Sender]) { Runtime = request.Apply });
        RunNext();
    }

    private void OnRuntimeApplied(RuntimeApplied applied)
    {
        if (_running is null)
        {
            return;
        }

        _running.Requesters[0].Tell(new RuntimeApplyCompleted(applied.Result));
        _running = null;
        RunNext();
    }

    private void OnRan(ReloadRan ran)
    {
        if (_running is null)
        {
            return; // a run started before this actor was restarted
        }

        foreach (var requester in _running.Requesters)
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
        if (_running.Runtime is { } apply)
        {
            var applying = apply(_shutdown.Token);
            _inFlight?.Track(applying);
            applying.PipeTo(
                Self,
                success: result => new RuntimeApplied(result),
                failure: e => new RuntimeApplied(RuntimeApplyResult.FellBack("socket", e.Message)));
            return;
        }

        var command = _running.Command;
        var run = _runner.RunAsync(command, _timeout, _shutdown.Token);
        _inFlight?.Track(run);
        run.PipeTo(
            Self,
            success: result => new ReloadRan(command, result),
            failure: e => new ReloadRan(command, new CommandResult(-1, e.Message, TimeSpan.Zero, false)));
    }

    /// <summary>Root → reloader: a configuration reload changed reconciler.commands.timeout.</summary>
    public sealed record CommandTimeoutChanged(TimeSpan Timeout);

    private sealed record PendingReload(string Command, List<IActorRef> Requesters)
    {
        public Func<CancellationToken, Task<RuntimeApplyResult>>? Runtime { get; init; }
    }

    private sealed record RuntimeApplied(RuntimeApplyResult Result);

    private sealed record ReloadRan(string Command, CommandResult Result);
}

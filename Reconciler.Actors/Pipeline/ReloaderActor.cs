using Akka.Actor;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Runs reload commands one at a time. A request for a command that is already waiting joins it,
/// so a burst of renders costs one reload; a request for the command that is running waits for
/// the next run (the running one may predate the new file). Every requester gets the result.
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
        var waiting = _queue.Find(p => p.Command == request.Command);
        if (waiting is not null)
        {
            waiting.Requesters.Add(Sender);
            return;
        }

        _queue.Add(new PendingReload(request.Command, [Sender]));
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

    private sealed record PendingReload(string Command, List<IActorRef> Requesters);

    private sealed record ReloadRan(string Command, CommandResult Result);
}

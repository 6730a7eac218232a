using Akka.Actor;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Output;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// The one owner of every reload-cmd run and every runtime API change, a child of the pipeline's root: requests arrive
/// as messages (<see cref="ReloadRequested"/>, <see cref="RuntimeChangeRequested"/>) and the result goes back as the
/// answer. One job runs at a time (piped back to itself), so no admin socket command runs while a reload does; equal
/// waiting reload requests coalesce (<see cref="ReloaderQueue"/>); a batch's reload waits until its templates arrived;
/// a command rests commands.min-reload-interval after it started (a timer per command); a run past its bound is
/// cancelled by a timer, which kills the command's process group.
/// </summary>
/// <remarks>
/// Its states are <c>Become</c> with one immutable record each: <see cref="Idle"/> ⇄ <see cref="Running"/>. A drain
/// (shutdown) is answered once nothing runs or waits. Restarted after a crash, it answers everyone who waited that
/// their job did not run: a reload answered so leaves the dest's <c>OwedReload</c> owed, which the renderer's retry pays.
/// </remarks>
public sealed class ReloaderActor : ReceiveActor, IWithTimers
{
    private const string RunTimer = "run-bound";

    private ReloaderSettings _settings;
    private ReloaderState _state = new IdleState(ReloaderQueue.Empty, []);
    private long _lastNumber;

    public ReloaderActor(ReloaderSettings settings)
    {
        _settings = settings;
        Become(Idle, (IdleState)_state);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>One that runs commands as <paramref name="services"/> are configured now (<c>--onetime</c>'s; the pipeline's root makes its own).</summary>
    public static Props Props(ApplyServices services) => Props(services.Reloads);

    internal static Props Props(ReloaderSettings settings) => Akka.Actor.Props.Create(() => new ReloaderActor(settings));

    private static TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void PreRestart(Exception reason, object message)
    {
        Abandon($"not run: the reloader restarted ({reason.Message})");
    }

    protected override void PostStop() => Abandon("not run: shutting down");

    private void Become<T>(Action<T> behaviour, T state)
        where T : ReloaderState
    {
        _state = state;
        Become(() => behaviour(state));
    }

    private void Idle(IdleState state)
    {
        Common(state, queue => Start(state with { Queue = queue }));
        Receive<Drain>(_ => state.Queue.IsEmpty, _ => Sender.Tell(Drained.Instance));
        Receive<Drain>(_ => Become(Idle, state with { Drainers = state.Drainers.Add(Sender) }));
        Receive<GetRendererProgress>(_ => Sender.Tell(RendererProgress.Idle));
        Stale();
    }

    private void Running(RunningState state)
    {
        Common(state, queue => Become(Running, state with { Queue = queue }));
        Receive<Drain>(_ => Become(Running, state with { Drainers = state.Drainers.Add(Sender) }));
        Receive<RunBoundPassed>(passed => passed.Number == state.Number, _ =>
        {
            state.Stop.Cancel(); // the runner kills the command's process group; a runtime change's socket client gives up
            Become(Running, state with { BoundPassed = true });
        });
        Receive<RunEnded>(ended => ended.Number == state.Number, ended => Finish(state, ended.Ending));
        Receive<GetRendererProgress>(_ => Sender.Tell(new RendererProgress(state.Job.What, Now - state.Since, WithKillMargin(state.Bound))));
        Stale();
    }

    /// <summary>What both states take alike; <paramref name="changed"/> carries on with the changed queue.</summary>
    private void Common(ReloaderState state, Action<ReloaderQueue> changed)
    {
        Receive<ReloadRequested>(request => changed(state.Queue.Reload(request, Sender)));
        Receive<RuntimeChangeRequested>(change => changed(state.Queue.RuntimeChange(change, Sender)));
        Receive<BatchOpened>(opened =>
        {
            Timers.StartSingleTimer(opened.Batch, new BatchPatienceEnded(opened.Batch), opened.Batch.Patience);
            changed(state.Queue.Open(opened.Batch));
        });
        Receive<BatchArrived>(arrived => changed(state.Queue.Arrive(arrived.Batch, arrived.Template)));
        Receive<BatchPatienceEnded>(ended => changed(state.Queue.Settle(ended.Batch)));
        Receive<RestEnded>(_ => changed(state.Queue));
        Receive<ConfigureReloads>(configure => _settings = configure.Settings);
    }

    /// <summary>Registered last: what no state's own handler took.</summary>
    private void Stale()
    {
        Receive<RunBoundPassed>(_ => { }); // of a run that ended meanwhile
        Receive<RunEnded>(_ => { }); // of a run an earlier incarnation started: it answered its requesters when it restarted
    }

    /// <summary>Starts the first job that may start now, else stays idle (a timer or an arrival will look again).</summary>
    private void Start(IdleState idle)
    {
        if (idle.Queue.Next(command => Timers.IsTimerActive(RestKey(command))) is not { } next)
        {
            if (idle.Queue.IsEmpty)
            {
                idle.Drainers.ForEach(drainer => drainer.Tell(Drained.Instance));
                idle = idle with { Drainers = [] };
            }

            Become(Idle, idle);
            return;
        }

        var (job, remaining) = next;
        var number = NextNumber();
        var stop = new CancellationTokenSource();
        var bound = job is RuntimeJob runtime ? runtime.Change.Bound : _settings.CommandTimeout;
        Timers.StartSingleTimer(RunTimer, new RunBoundPassed(number), bound);
        Run(job, stop.Token).PipeTo(Self, success: ending => new RunEnded(number, ending), failure: e => new RunEnded(number, new Status.Failure(e)));
        Become(Running, new RunningState(remaining, idle.Drainers, job, number, stop, Now, bound, BoundPassed: false));
    }

    private Task<object> Run(ReloaderJob job, CancellationToken stop)
    {
        if (job is ReloadJob reload)
        {
            if (_settings.MinReloadInterval > TimeSpan.Zero)
            {
                Timers.StartSingleTimer(RestKey(reload.Command), new RestEnded(reload.Command), _settings.MinReloadInterval);
            }

            return Ended(_settings.Run(reload.Command, stop));
        }

        return Ended(((RuntimeJob)job).Change.Work(stop));
    }

    private static async Task<object> Ended<T>(Task<T> run)
        where T : notnull => await run;

    private void Finish(RunningState state, object ending)
    {
        Timers.Cancel(RunTimer);
        state.Stop.Dispose();
        if (state.BoundPassed && ending is CommandResult { Cancelled: true } killed)
        {
            ending = killed with { TimedOut = true, Cancelled = false }; // cancelled by its timeout, not by shutdown
        }

        state.Job.Answer(state.Number, ending);
        Start(new IdleState(state.Queue, state.Drainers));
    }

    /// <summary>Stopped or restarting: what runs is killed, and whoever waits is told it did not run.</summary>
    private void Abandon(string why)
    {
        if (_state is RunningState running)
        {
            running.Stop.Cancel();
            running.Job.Abandon(running.Number, why);
        }

        foreach (var job in _state.Queue.Waiting)
        {
            job.Abandon(NextNumber(), why);
        }

        _state.Drainers.ForEach(drainer => drainer.Tell(Drained.Instance));
    }

    /// <summary>Later than any number an earlier incarnation gave: metrics count each run once by its number.</summary>
    private long NextNumber() => _lastNumber = Math.Max(_lastNumber + 1, Now.Ticks);

    /// <summary>A run is stuck once past its bound by as long again (at most 10 s): the kill and its reaping should have ended it.</summary>
    private static TimeSpan WithKillMargin(TimeSpan bound) => bound + TimeSpan.FromTicks(Math.Min(bound.Ticks, TimeSpan.FromSeconds(10).Ticks));

    private static string RestKey(string command) => $"rest:{command}";

    private sealed record RunBoundPassed(long Number);

    private sealed record RunEnded(long Number, object Ending);

    private sealed record RestEnded(string Command);

    private sealed record BatchPatienceEnded(ReloadBatch Batch);
}

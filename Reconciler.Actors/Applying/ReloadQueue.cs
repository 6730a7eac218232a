using Reconciler.Actors.Output;

namespace Reconciler.Actors.Applying;

/// <summary>
/// Every reload command and runtime API change of every template, one at a time, in order. A reload requested
/// while one for the same command (and the same <see cref="ReloadBatch"/>, or none) waits joins it, so a burst of
/// renders costs one reload; a request for the command that is running waits for the next run (the running one
/// may predate the new file). A run of a batch waits until the batch is settled, and a command runs no sooner than
/// <see cref="MinReloadInterval"/> after its last run started (commands.min-reload-interval); other work is not held
/// up meanwhile. A command's timeout is <see cref="CommandTimeout"/>; the runner kills its process group. Disposing
/// the queue kills what runs and fails what waits.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue: of reload commands")]
public sealed partial class ReloadQueue : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<QueuedRun> _waiting = [];
    private readonly Dictionary<string, long> _lastStarted = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = NewSignal();
    private QueuedRun? _running;
    private long _runningSince;
    private long _runs;
    private Task? _pump;

    public ReloadQueue(ICommandRunner runner, TimeSpan commandTimeout, TimeProvider? time = null)
    {
        Runner = runner;
        CommandTimeout = commandTimeout;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>What runs the reload commands; replaced on a configuration reload (commands.environment), from the next run on.</summary>
    public ICommandRunner Runner { get; set; }

    /// <summary>commands.timeout, from the next run on.</summary>
    public TimeSpan CommandTimeout { get; set; }

    /// <summary>commands.min-reload-interval, from the next run on.</summary>
    public TimeSpan MinReloadInterval { get; set; }

    /// <summary>What runs now; null when idle.</summary>
    public QueueActivity? Activity
    {
        get
        {
            lock (_gate)
            {
                return _running is null ? null : new QueueActivity(_running.What, _time.GetElapsedTime(_runningSince), _running.Bound(this));
            }
        }
    }

    /// <summary>Runs <paramref name="command"/> in its turn, joined with an equal request that waits; the run's result.</summary>
    /// <param name="batch">The batch the requesting template belongs to, which it arrives at here; null for none.</param>
    /// <param name="template">Who asks, to arrive at <paramref name="batch"/>.</param>
    /// <param name="cancellationToken">Stops waiting; the run itself goes on for whoever else waits.</param>
    public Task<ReloadRun> ReloadAsync(string command, ReloadBatch? batch, string template, CancellationToken cancellationToken)
    {
        QueuedReload run;
        lock (_gate)
        {
            run = _waiting.OfType<QueuedReload>().FirstOrDefault(r => r.Command == command && r.Batch == batch) ?? Enqueue(new QueuedReload(command, batch));
            run.Templates++;
        }

        batch?.Arrive(template);
        return run.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> (a runtime API change) in its turn; its token is cancelled after <paramref name="bound"/>.</summary>
    public Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> work, TimeSpan bound, CancellationToken cancellationToken)
    {
        var run = new QueuedWork<T>(what, work, bound);
        lock (_gate)
        {
            Enqueue(run);
        }

        return run.Result.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync();
        lock (_gate)
        {
            foreach (var run in _waiting)
            {
                run.Abandon();
            }

            _waiting.Clear();
            _changed.TrySetResult();
        }

        if (_pump is not null)
        {
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TRun Enqueue<TRun>(TRun run)
        where TRun : QueuedRun
    {
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        _waiting.Add(run);
        _changed.TrySetResult();
        if (_pump is null)
        {
            _pump = Task.Run(PumpAsync, CancellationToken.None);
        }

        return run;
    }

    /// <summary>The one loop that runs everything: waits while nothing can run (no timer, no CPU while idle).</summary>
    private async Task PumpAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            var (next, wake) = Next();
            if (next is null)
            {
                await wake.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            await next.RunAsync(this, _shutdown.Token);
            lock (_gate)
            {
                _running = null;
            }
        }
    }

    /// <summary>The first run that may start now (made the running one), else what to wait for before looking again.</summary>
    private (QueuedRun? Next, Task Wake) Next()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var next = _waiting.FirstOrDefault(run => run.MayStart && EarliestStart(run, now) <= TimeSpan.Zero);
            if (next is not null)
            {
                _waiting.Remove(next);
                _running = next;
                _runningSince = now;
                if (next is QueuedReload reload)
                {
                    _lastStarted[reload.Command] = now;
                }

                return (next, Task.CompletedTask);
            }

            _changed = NewSignal();
            var wakes = new List<Task> { _changed.Task };
            wakes.AddRange(_waiting.Where(run => !run.MayStart).Select(run => run.Ready));
            var delays = _waiting.Where(run => run.MayStart).Select(run => EarliestStart(run, now)).Where(d => d > TimeSpan.Zero).ToList();
            if (delays.Count > 0)
            {
                wakes.Add(Task.Delay(delays.Min(), _time, _shutdown.Token));
            }

            return (null, Task.WhenAny(wakes));
        }
    }

    /// <summary>How long until <paramref name="run"/> may start under min-reload-interval (zero or less: now).</summary>
    private TimeSpan EarliestStart(QueuedRun run, long now) =>
        run is QueuedReload reload && MinReloadInterval > TimeSpan.Zero && _lastStarted.TryGetValue(reload.Command, out var last)
            ? MinReloadInterval - _time.GetElapsedTime(last, now)
            : TimeSpan.Zero;

    private long NextRunNumber() => Interlocked.Increment(ref _runs);
}

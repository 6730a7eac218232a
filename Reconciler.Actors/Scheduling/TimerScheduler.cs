using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Reconciler.Actors.Scheduling;

/// <summary>
/// Akka's scheduler on .NET timers, for a daemon that idles most of its life. Akka's default
/// (<see cref="HashedWheelTimerScheduler"/>) wakes every tick-duration (10 ms) from its first timer on, for as long as
/// the process lives: measured ~45 ms of CPU per second on an idle daemon after its first debounced change. This one
/// only wakes when something is due, to the millisecond. What it schedules here is little (debounce windows, retry and
/// backoff delays, shutdown phase timeouts), so one <see cref="Timer"/> per entry costs nothing worth a wheel.
/// Selected with <c>akka.scheduler.implementation</c>.
/// </summary>
public sealed class TimerScheduler(Config config, ILoggingAdapter log)
    : SchedulerBase(config, log), IDateTimeOffsetNowTimeProvider, IDisposable
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    // a timer nobody references may be collected before it fires: the set roots them until they are done
    private readonly ConcurrentDictionary<Entry, byte> _pending = new();
    private volatile bool _disposed;

    public override TimeSpan MonotonicClock => Clock.Elapsed;

    public override TimeSpan HighResMonotonicClock => Clock.Elapsed;

    protected override DateTimeOffset TimeNow => DateTimeOffset.Now;

    public void Dispose()
    {
        _disposed = true;
        foreach (var entry in _pending.Keys)
        {
            Retire(entry);
        }
    }

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(delay, null, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(initialDelay, interval, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        Schedule(delay, null, action, cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        Schedule(delay, null, action.Run, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action.Run, cancelable);

    /// <param name="interval">Null: run once.</param>
    /// <param name="cancelable">May be null (Akka passes null for entries that cannot be cancelled).</param>
    private void Schedule(TimeSpan delay, TimeSpan? interval, Action action, ICancelable? cancelable)
    {
        if (_disposed || cancelable?.IsCancellationRequested == true)
        {
            return;
        }

        var entry = new Entry(action, cancelable, once: interval is null);
        entry.Timer = new Timer(_ => Fire(entry));
        _pending[entry] = 0;
        if (cancelable is not null)
        {
            entry.Cancellation = cancelable.Token.Register(() => Retire(entry));
        }

        try
        {
            entry.Timer.Change(delay, interval ?? Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // cancelled, or the scheduler disposed, in the meantime
        }
    }

    private void Fire(Entry entry)
    {
        if (entry.Once)
        {
            Retire(entry);
        }

        if (_disposed || entry.Cancelable?.IsCancellationRequested == true)
        {
            return;
        }

        try
        {
            entry.Action();
        }
        catch (Exception e)
        {
            Log.Error(e, "A scheduled action failed");
        }
    }

    private void Retire(Entry entry)
    {
        if (_pending.TryRemove(entry, out _))
        {
            entry.Timer?.Dispose();
            entry.Cancellation.Dispose();
        }
    }

    /// <summary>One scheduled action: its timer, and its hook on the cancelable, both let go when it is done.</summary>
    private sealed class Entry(Action action, ICancelable? cancelable, bool once)
    {
        public Action Action { get; } = action;

        public ICancelable? Cancelable { get; } = cancelable;

        public bool Once { get; } = once;

        public Timer? Timer { get; set; }

        public CancellationTokenRegistration Cancellation { get; set; }
    }
}

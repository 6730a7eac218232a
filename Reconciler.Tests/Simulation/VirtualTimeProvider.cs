using Akka.Actor;
using Akka.TestKit;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// A <see cref="TimeProvider"/> whose clocks and timers are the TestKit's virtual time, so <c>Task.Delay(d, time)</c>
/// (the reload queue's min-reload-interval) waits for the simulation to advance the clock, not for the wall clock.
/// </summary>
internal sealed class VirtualTimeProvider(TestScheduler scheduler) : TimeProvider
{
    private readonly DateTimeOffset _start = scheduler.Now;

    public override DateTimeOffset GetUtcNow() => scheduler.Now;

    public override long GetTimestamp() => (scheduler.Now - _start).Ticks;

    private int _pending;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers set and neither fired nor cancelled: work waiting for the clock to advance.</summary>
    public int PendingTimers => Volatile.Read(ref _pending);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Fires on the thread that advances the clock.</summary>
    private sealed class VirtualTimer(VirtualTimeProvider time, TestScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private ICancelable? _due;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Cancel();
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            var due = new Cancelable(scheduler.Advanced);
            _due = due;
            Interlocked.Increment(ref time._pending);
            scheduler.Advanced.ScheduleOnce(dueTime, () =>
            {
                if (Interlocked.CompareExchange(ref _due, null, due) == due)
                {
                    Interlocked.Decrement(ref time._pending);
                }

                callback(state);
                if (period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero && !due.IsCancellationRequested)
                {
                    Change(period, period);
                }
            }, due);
            return true;
        }

        public void Dispose() => Cancel();

        private void Cancel()
        {
            if (Interlocked.Exchange(ref _due, null) is { } due)
            {
                due.Cancel();
                Interlocked.Decrement(ref time._pending);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

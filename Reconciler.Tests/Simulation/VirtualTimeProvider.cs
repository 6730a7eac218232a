using Akka.Actor;
using Akka.TestKit;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// A <see cref="TimeProvider"/> whose clocks and timers are the TestKit's virtual time, so <c>Task.Delay(d, time)</c>
/// (a simulated slow or timed-out command) waits for the simulation to advance the clock, not for the wall clock.
/// The actors' own timers (debounce, backoff, min-reload-interval, the reloader's run bound) are on the
/// <see cref="TestScheduler"/> already.
/// </summary>
internal sealed class VirtualTimeProvider(TestScheduler scheduler) : TimeProvider
{
    private readonly DateTimeOffset _start = scheduler.Now;

    public override DateTimeOffset GetUtcNow() => scheduler.Now;

    public override long GetTimestamp() => (scheduler.Now - _start).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Fires on the thread that advances the clock.</summary>
    private sealed class VirtualTimer(TestScheduler scheduler, TimerCallback callback, object? state) : ITimer
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
            scheduler.Advanced.ScheduleOnce(dueTime, () =>
            {
                Interlocked.CompareExchange(ref _due, null, due);
                callback(state);
                if (period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero && !due.IsCancellationRequested)
                {
                    Change(period, period);
                }
            }, due);
            return true;
        }

        public void Dispose() => Cancel();

        private void Cancel() => Interlocked.Exchange(ref _due, null)?.Cancel();

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

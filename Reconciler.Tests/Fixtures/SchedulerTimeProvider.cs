using Akka.TestKit;

namespace Reconciler.Tests.Fixtures;

/// <summary>A <see cref="TimeProvider"/> whose clocks (wall and monotonic) are the TestKit's virtual time.</summary>
public sealed class SchedulerTimeProvider(TestScheduler scheduler) : TimeProvider
{
    // timestamps count from here: small numbers convert to TimeSpan exactly (ticks since year 1 would lose precision in a double)
    private readonly DateTimeOffset _start = scheduler.Now;

    public override DateTimeOffset GetUtcNow() => scheduler.Now;

    public override long GetTimestamp() => (scheduler.Now - _start).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}

using Akka.TestKit;

namespace Reconciler.Tests.Fixtures;

/// <summary>A <see cref="TimeProvider"/> whose clocks (wall and monotonic) are the TestKit's virtual time.</summary>
public sealed class SchedulerTimeProvider(TestScheduler scheduler) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => scheduler.Now;

    public override long GetTimestamp() => scheduler.Now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}

using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

public class DebounceWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DebounceWindow Idle(int quietMs, int maxMs) =>
        DebounceWindow.Idle(new DebounceSettings(TimeSpan.FromMilliseconds(quietMs), TimeSpan.FromMilliseconds(maxMs)));

    [Fact]
    public void A_single_change_is_due_after_the_quiet_period()
    {
        var window = Idle(200, 2000).Record(T0);

        Assert.Equal(TimeSpan.FromMilliseconds(200), window.DelayFrom(T0));
        Assert.Equal(TimeSpan.Zero, window.DelayFrom(T0.AddMilliseconds(200)));
    }

    [Fact]
    public void Each_change_restarts_the_quiet_period()
    {
        var window = Idle(200, 2000).Record(T0).Record(T0.AddMilliseconds(150));

        Assert.Equal(TimeSpan.FromMilliseconds(200), window.DelayFrom(T0.AddMilliseconds(150)));
    }

    [Fact]
    public void A_steady_trickle_is_rendered_by_max_after_the_first_change()
    {
        var window = Idle(200, 1000);
        for (var ms = 0; ms <= 900; ms += 100)
        {
            window = window.Record(T0.AddMilliseconds(ms));
        }

        Assert.Equal(T0.AddMilliseconds(1000), window.DueAt);
    }

    [Fact]
    public void Quiet_zero_is_due_at_once()
    {
        var window = Idle(0, 0).Record(T0);

        Assert.Equal(TimeSpan.Zero, window.DelayFrom(T0));
    }

    [Fact]
    public void Flushing_ends_the_window_and_the_next_change_starts_a_new_one()
    {
        var window = Idle(200, 1000).Record(T0).Flushed();
        Assert.False(window.IsPending);

        var next = window.Record(T0.AddSeconds(5));

        Assert.Equal(T0.AddSeconds(5).AddMilliseconds(200), next.DueAt);
    }
}

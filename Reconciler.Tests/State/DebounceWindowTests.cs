using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

public class DebounceWindowTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromHours(30);

    private static DebounceWindow Idle(int quietMs, int maxMs) =>
        DebounceWindow.Idle(new DebounceSettings(TimeSpan.FromMilliseconds(quietMs), TimeSpan.FromMilliseconds(maxMs)));

    [Fact]
    public void A_single_change_is_due_after_the_quiet_period()
    {
        var window = Idle(200, 2000).Record(T0);

        Assert.Equal(TimeSpan.FromMilliseconds(200), window.DelayFrom(T0));
        Assert.Equal(TimeSpan.Zero, window.DelayFrom(T0 + TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void Each_change_restarts_the_quiet_period()
    {
        var window = Idle(200, 2000).Record(T0).Record(T0 + TimeSpan.FromMilliseconds(150));

        Assert.Equal(TimeSpan.FromMilliseconds(200), window.DelayFrom(T0 + TimeSpan.FromMilliseconds(150)));
    }

    [Fact]
    public void A_steady_trickle_is_rendered_by_max_after_the_first_change()
    {
        var window = Idle(200, 1000);
        for (var ms = 0; ms <= 900; ms += 100)
        {
            window = window.Record(T0 + TimeSpan.FromMilliseconds(ms));
        }

        Assert.Equal(T0 + TimeSpan.FromMilliseconds(1000), window.DueAt);
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

        var next = window.Record(T0 + TimeSpan.FromSeconds(5));

        Assert.Equal(T0 + TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(200), next.DueAt);
    }

    [Fact]
    public void The_delay_is_never_beyond_max_even_from_a_reading_before_the_window()
    {
        var window = Idle(200, 1000).Record(T0);

        // a reading older than the change (which a monotonic clock never gives, a stepped wall clock did)
        Assert.Equal(TimeSpan.FromMilliseconds(1000), window.DelayFrom(T0 - TimeSpan.FromHours(1)));
    }
}

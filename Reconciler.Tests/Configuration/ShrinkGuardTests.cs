using Reconciler.Actors.Configuration;

namespace Reconciler.Tests.Configuration;

public sealed class ShrinkGuardTests
{
    [Theory]
    [InlineData(0, null)]
    [InlineData(0, 100)]
    [InlineData(1, 100000)]
    public void Off_lets_everything_through(int entries, int? last)
    {
        Assert.Null(ShrinkGuard.Off.Violation(entries, last));
    }

    [Fact]
    public void Min_entries_holds_back_fewer_keys()
    {
        var guard = new ShrinkGuard(MinEntries: 3, MaxShrinkPercent: 0);

        Assert.Equal("the shrink guard: 2 keys is below min-entries = 3", guard.Violation(2, null));
        Assert.NotNull(guard.Violation(0, null));
        Assert.NotNull(guard.Violation(2, 2));
    }

    [Fact]
    public void Min_entries_lets_exactly_min_and_more_through()
    {
        var guard = new ShrinkGuard(MinEntries: 3, MaxShrinkPercent: 0);

        Assert.Null(guard.Violation(3, null));
        Assert.Null(guard.Violation(4, 100));
    }

    [Fact]
    public void Max_shrink_percent_holds_back_a_bigger_drop_than_allowed()
    {
        var guard = new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 50);

        Assert.Equal("the shrink guard: keys dropped from 10 to 4 (60%), more than max-shrink-percent = 50", guard.Violation(4, 10));
        Assert.NotNull(guard.Violation(0, 10));
        Assert.Equal("the shrink guard: keys dropped from 3 to 1 (66.7%), more than max-shrink-percent = 50", guard.Violation(1, 3));
    }

    [Theory]
    [InlineData(5, 10)] // exactly the limit
    [InlineData(6, 10)]
    [InlineData(10, 10)]
    [InlineData(20, 10)] // growth
    public void Max_shrink_percent_lets_a_drop_up_to_the_limit_and_growth_through(int entries, int last)
    {
        Assert.Null(new ShrinkGuard(0, 50).Violation(entries, last));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    public void Max_shrink_percent_needs_a_previous_render_with_keys(int? last)
    {
        var guard = new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 10);

        Assert.Null(guard.Violation(0, last));
    }

    [Fact]
    public void Min_entries_is_checked_first_when_both_are_violated()
    {
        var guard = new ShrinkGuard(MinEntries: 5, MaxShrinkPercent: 10);

        Assert.Contains("min-entries", guard.Violation(1, 100));
        Assert.Contains("max-shrink-percent", guard.Violation(50, 100));
        Assert.Null(guard.Violation(95, 100));
    }
}

using Reconciler.Actors.Pipeline;

namespace Reconciler.Tests.Pipeline;

public sealed class RetryBackoffTests
{
    private static readonly RetryBackoff Backoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), RandomFactor: 0.2);

    [Fact]
    public void The_first_retry_waits_min()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), Backoff.DelayFor(1, random: 0));
    }

    [Theory]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(4, 4000)]
    [InlineData(6, 16000)]
    public void Each_further_retry_doubles_the_delay(int attempt, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.DelayFor(attempt, random: 0));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void The_delay_is_capped_at_max_without_overflow(int attempt)
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.DelayFor(attempt, random: 0));
    }

    [Fact]
    public void The_random_spread_adds_up_to_random_factor()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(550), Backoff.DelayFor(1, random: 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(2200), Backoff.DelayFor(3, random: 0.5));

        var almostOne = Backoff.DelayFor(1, random: 0.999999);
        Assert.InRange(almostOne, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(600));

        // the spread applies after the cap, like Akka's BackoffSupervisor: at most max * (1 + random-factor)
        Assert.Equal(TimeSpan.FromSeconds(33), Backoff.DelayFor(100, random: 0.5));
    }

    [Fact]
    public void Random_factor_zero_gives_exact_delays()
    {
        var exact = Backoff with { RandomFactor = 0 };

        Assert.Equal(TimeSpan.FromMilliseconds(500), exact.DelayFor(1, random: 0.99));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), exact.DelayFor(2, random: 0.99));
    }

    [Fact]
    public void Min_equal_to_max_never_grows()
    {
        var flat = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 0);

        Assert.All(Enumerable.Range(1, 10), attempt => Assert.Equal(TimeSpan.FromSeconds(1), flat.DelayFor(attempt, 0)));
    }
}

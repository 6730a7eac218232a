using Reconciler.Actors.Registration;

namespace Reconciler.Tests.Registration;

public sealed class LeaseTtlTests
{
    [Theory]
    [InlineData("10s", 10)]
    [InlineData("10", 10)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData(" 3s ", 3)]
    public void Reads_whole_seconds_minutes_and_hours(string text, int seconds)
    {
        Assert.True(LeaseTtl.TryParse(text, out var ttl, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), ttl);
    }

    [Theory]
    [InlineData("0s", "at least 1s")]
    [InlineData("1500ms", "is not a duration")]
    [InlineData("soon", "is not a duration")]
    [InlineData("-5s", "is not a duration")]
    public void Rejects_what_etcd_cannot_take(string text, string problem)
    {
        Assert.False(LeaseTtl.TryParse(text, out _, out var error));
        Assert.Contains(problem, error);
    }
}

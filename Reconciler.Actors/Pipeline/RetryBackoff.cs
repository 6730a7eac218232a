namespace Reconciler.Actors.Pipeline;

/// <summary>
/// How long to wait before retrying a failed reconcile: doubling from <c>min</c> up to <c>max</c>,
/// with a random spread so many templates failing together do not retry in lockstep.
/// </summary>
internal sealed record RetryBackoff(TimeSpan Min, TimeSpan Max, double RandomFactor)
{
    /// <summary>The delay before retry number <paramref name="attempt"/> (1 = first retry); <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan DelayFor(int attempt, double random)
    {
        var exponential = Min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 + (RandomFactor * random)));
    }
}

namespace Reconciler.Actors.Templates;

/// <summary>
/// How long one render may run and how many bytes it may write (render-timeout, max-output-bytes), and what it accepts
/// from the registry (<see cref="Values"/>).
/// </summary>
public sealed record RenderLimits(TimeSpan Timeout, long MaxOutputBytes)
{
    public ValueRules Values { get; init; } = ValueRules.None;

    public static readonly RenderLimits None = new(System.Threading.Timeout.InfiniteTimeSpan, long.MaxValue);
}

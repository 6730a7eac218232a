namespace Reconciler.Actors.Output;

/// <summary>More was written into a <see cref="ContentBuffer"/> than its <see cref="ContentBuffer.Limit"/>.</summary>
internal sealed class ContentLimitExceededException(long limit)
    : IOException($"output passed {limit} bytes")
{
    public long Limit { get; } = limit;
}

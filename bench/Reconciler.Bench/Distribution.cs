namespace Reconciler.Bench;

/// <summary>p50/p95/max of a set of samples in milliseconds (nearest-rank percentiles).</summary>
public sealed record Distribution(int Count, double P50, double P95, double Max)
{
    public static Distribution Of(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(milliseconds));
        }

        var sorted = milliseconds.Order().ToArray();
        double Percentile(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
        return new Distribution(sorted.Length, Percentile(50), Percentile(95), sorted[^1]);
    }

    public override string ToString() => $"{P50:0.0} / {P95:0.0} / {Max:0.0} ms";
}

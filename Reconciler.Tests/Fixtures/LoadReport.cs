namespace Reconciler.Tests.Fixtures;

/// <summary>
/// What a <see cref="LoadGenerator"/> run saw: answers per instance name, every failed request, and how many
/// requests a bare client had to resend because a connection closed under them (a POST would have failed).
/// </summary>
public sealed record LoadReport(int Sent, IReadOnlyDictionary<string, int> Answers, IReadOnlyList<string> Failures, int Resent, TimeSpan Duration)
{
    public int Succeeded => Answers.Values.Sum();

    public override string ToString() =>
        $"{Sent} requests in {Duration.TotalSeconds:0.0} s: {Succeeded} answered "
        + $"({string.Join(", ", Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"))}), "
        + $"{Resent} resent by a bare client, {Failures.Count} failed{(Failures.Count == 0 ? string.Empty : ":" + Environment.NewLine + string.Join(Environment.NewLine, Failures))}";
}

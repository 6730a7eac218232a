using Reconciler.Actors.Configuration;
using Reconciler.Actors.Quarantine;

namespace Reconciler.Tests.Quarantine;

/// <summary>The bisection over the changed keys, against oracles that refuse some sets of applied changes.</summary>
public sealed class CulpritSearchTests
{
    private static readonly string[] Hundred = [.. Enumerable.Range(0, 100).Select(i => $"/apps/k{i:D3}")];

    [Theory]
    [InlineData(0)]
    [InlineData(37)]
    [InlineData(99)]
    public async Task One_culprit_among_100_is_found_within_log2_checks_and_every_other_change_is_kept(int culprit)
    {
        var oracle = new Oracle(applied => !applied.Contains(Hundred[culprit]));

        var result = await new CulpritSearch(20).FindAsync(Hundred, "refused", oracle.CheckAsync);

        Assert.True(result.Found);
        Assert.Equal([Hundred[culprit]], result.Culprits.Select(c => c.Key));
        Assert.True(result.Checks <= 9, $"{result.Checks} checks"); // every change set back, ceil(log2 100), the rest
        Assert.Equal(result.Checks, oracle.Checks);
        Assert.True(oracle.Passed(Hundred.Except([Hundred[culprit]]))); // the file applied holds the 99 others, checked together
    }

    [Theory]
    [InlineData(3, 71)]
    [InlineData(40, 41)]
    [InlineData(0, 99)]
    public async Task Two_culprits_among_100_are_both_found_within_the_default_bound(int first, int second)
    {
        var oracle = new Oracle(applied => !applied.Contains(Hundred[first]) && !applied.Contains(Hundred[second]));

        var result = await new CulpritSearch(QuarantineSettings.Default.MaxChecks).FindAsync(Hundred, "refused", oracle.CheckAsync);

        Assert.True(result.Found, result.NotFound);
        Assert.Equal([Hundred[first], Hundred[second]], result.Culprits.Select(c => c.Key));
        Assert.True(result.Checks <= 17, $"{result.Checks} checks"); // 1 + 2 × (7 + 1)
        Assert.True(oracle.Passed(Hundred.Except([Hundred[first], Hundred[second]])));
    }

    [Fact]
    public async Task A_change_refused_only_together_with_another_makes_one_of_them_the_culprit_and_keeps_the_other()
    {
        // two servers with the same name, say: each alone is fine
        var (a, b) = (Hundred[10], Hundred[80]);
        var oracle = new Oracle(applied => !(applied.Contains(a) && applied.Contains(b)));

        var result = await new CulpritSearch(20).FindAsync(Hundred, "refused", oracle.CheckAsync);

        Assert.True(result.Found);
        Assert.Equal([b], result.Culprits.Select(c => c.Key)); // the later one, in key order
        Assert.True(oracle.Passed(Hundred.Except([b])));
    }

    [Fact]
    public async Task Each_culprit_carries_the_reason_of_the_refusal_that_named_it()
    {
        var oracle = new Oracle(applied => !applied.Contains(Hundred[5]) && !applied.Contains(Hundred[60]), applied =>
            applied.Contains(Hundred[5]) ? "[ALERT] bad 5" : "[ALERT] bad 60");

        var result = await new CulpritSearch(20).FindAsync(Hundred, "[ALERT] both", oracle.CheckAsync);

        Assert.Equal(["[ALERT] bad 5", "[ALERT] bad 60"], result.Culprits.Select(c => c.Reason));
    }

    [Fact]
    public async Task A_refusal_with_every_change_set_back_finds_nothing_after_one_check()
    {
        var oracle = new Oracle(_ => false); // a template or environment change: nothing passes

        var result = await new CulpritSearch(16).FindAsync(Hundred, "refused", oracle.CheckAsync);

        Assert.False(result.Found);
        Assert.Empty(result.Culprits);
        Assert.Equal(1, oracle.Checks);
        Assert.Empty(oracle.Asked[0]); // that one check had every change set back
        Assert.Contains("every changed key set back", result.NotFound, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_changed_finds_nothing_without_a_check()
    {
        var oracle = new Oracle(_ => true);

        var result = await new CulpritSearch(16).FindAsync([], "refused", oracle.CheckAsync);

        Assert.False(result.Found);
        Assert.Equal(0, oracle.Checks);
    }

    [Fact]
    public async Task Past_the_bound_nothing_is_found_and_no_more_checks_run()
    {
        // every key a culprit: it would take about 2n checks to name them all
        var oracle = new Oracle(applied => applied.Count == 0);

        var result = await new CulpritSearch(16).FindAsync(Hundred, "refused", oracle.CheckAsync);

        Assert.False(result.Found);
        Assert.Equal(16, oracle.Checks);
        Assert.Contains("max-checks = 16", result.NotFound, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_does_not_finish_ends_the_search_with_nothing_found()
    {
        var checks = 0;

        var result = await new CulpritSearch(20).FindAsync(Hundred, "refused", _ =>
            Task.FromResult(++checks == 2 ? Trial.Unfinished("timed out after 30s") : Trial.Pass));

        Assert.False(result.Found);
        Assert.Equal(2, checks);
        Assert.Contains("did not finish: timed out after 30s", result.NotFound, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_changed_key_that_passes_set_back_is_the_culprit_after_one_check()
    {
        var oracle = new Oracle(applied => applied.Count == 0);

        var result = await new CulpritSearch(16).FindAsync(["/apps/evil"], "[ALERT] evil", oracle.CheckAsync);

        Assert.Equal(new QuarantinedKey("/apps/evil", "[ALERT] evil"), Assert.Single(result.Culprits));
        Assert.Equal(1, oracle.Checks);
    }

    /// <summary>Passes a set of applied changes when <paramref name="passes"/> says so; records what it was asked.</summary>
    private sealed class Oracle(Func<IReadOnlySet<string>, bool> passes, Func<IReadOnlySet<string>, string>? reason = null)
    {
        public List<IReadOnlySet<string>> Asked { get; } = [];

        public int Checks => Asked.Count;

        /// <summary>Whether exactly <paramref name="applied"/> was checked and passed.</summary>
        public bool Passed(IEnumerable<string> applied) => Asked.Any(a => a.SetEquals(applied) && passes(a));

        public Task<Trial> CheckAsync(IReadOnlySet<string> applied)
        {
            Asked.Add(applied);
            return Task.FromResult(passes(applied) ? Trial.Pass : Trial.Refused(reason?.Invoke(applied) ?? "refused"));
        }
    }
}

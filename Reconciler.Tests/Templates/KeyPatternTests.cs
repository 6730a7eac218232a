using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Templates;

public class KeyPatternTests
{
    private static DesiredState State(params string[] keys) =>
        DesiredState.From(keys.Select(key => KeyValuePair.Create(key, "v" + key)), 1);

    [Theory]
    [InlineData("/apps/x/*", "/apps/x/a", true)]
    [InlineData("/apps/x/*", "/apps/x/stupid-server@1.service", true)]
    [InlineData("/apps/x/*", "/apps/x/a/b", false)]
    [InlineData("/apps/x/*", "/apps/x", false)]
    [InlineData("/apps/*/port", "/apps/web/port", true)]
    [InlineData("/apps/*/port", "/apps/web/deep/port", false)]
    [InlineData("/apps/x/*.service", "/apps/x/web@1.service", true)]
    [InlineData("/apps/x/*.service", "/apps/x/web@1.socket", false)]
    [InlineData("/apps/x/a*b*c", "/apps/x/aXbYbZc", true)]
    [InlineData("/apps/x/a*b*c", "/apps/x/aXb/c", false)]
    [InlineData("/apps/x/?", "/apps/x/a", true)]
    [InlineData("/apps/x/?", "/apps/x/ab", false)]
    [InlineData("/apps/x/?", "/apps/x/", false)]
    [InlineData("/apps/x?a", "/apps/x/a", false)]
    [InlineData("/apps/x/?", "/apps/x/é", true)]
    [InlineData("/apps/x/?", "/apps/x/😀", true)]
    [InlineData("/apps/[a-c]", "/apps/b", true)]
    [InlineData("/apps/[a-c]", "/apps/d", false)]
    [InlineData("/apps/[^a-c]", "/apps/d", true)]
    [InlineData("/apps/[^a-c]", "/apps/a", false)]
    [InlineData("/apps/[abx-z]1", "/apps/y1", true)]
    [InlineData("/apps/[\\]]", "/apps/]", true)]
    [InlineData("/apps/\\*", "/apps/*", true)]
    [InlineData("/apps/\\*", "/apps/a", false)]
    [InlineData("/apps/\\?", "/apps/a", false)]
    [InlineData("/apps/x", "/apps/x", true)]
    [InlineData("/apps/x", "/apps/x/a", false)]
    [InlineData("/apps/web*", "/apps/webby", true)]
    [InlineData("/apps/web/*", "/apps/webby/a", false)]
    [InlineData("*", "no-slash", true)]
    [InlineData("*", "/rooted", false)]
    public void Matches_like_go_path_match(string pattern, string key, bool expected)
    {
        Assert.Equal(expected, new KeyPattern(pattern).IsMatch(key));
    }

    [Theory]
    [InlineData("/apps/[")]
    [InlineData("/apps/[]")]
    [InlineData("/apps/[a-")]
    [InlineData("/apps/[^]")]
    [InlineData("/apps/[-a]")]
    [InlineData("/apps/x\\")]
    [InlineData("/apps/*/[z")]
    public void A_malformed_pattern_is_rejected_with_its_text(string pattern)
    {
        var error = Assert.Throws<FormatException>(() => new KeyPattern(pattern));

        Assert.Contains(pattern, error.Message);
    }

    [Theory]
    [InlineData("/apps/x/*", "/apps/x/")]
    [InlineData("/apps/x/?", "/apps/x/")]
    [InlineData("/apps/x/[ab]", "/apps/x/")]
    [InlineData("/apps/a\\*b/*", "/apps/a*b/")]
    [InlineData("/apps/x", "/apps/x")]
    [InlineData("*", "")]
    public void The_literal_prefix_is_the_unescaped_text_before_the_first_wildcard(string pattern, string prefix)
    {
        Assert.Equal(prefix, new KeyPattern(pattern).LiteralPrefix);
    }

    [Fact]
    public void Matches_returns_matching_entries_in_key_order_and_skips_deeper_and_sibling_prefix_keys()
    {
        var state = State("/apps/web/b", "/apps/web/a", "/apps/web/a/deep", "/apps/webby/c", "/apps/we/d", "/other/a");

        var matches = new KeyPattern("/apps/web/*").Matches(state).ToList();

        Assert.Equal(["/apps/web/a", "/apps/web/b"], matches.Select(entry => entry.Key));
        Assert.Equal("v/apps/web/a", matches[0].Value);
    }

    [Fact]
    public void A_pattern_without_wildcards_matches_only_that_key()
    {
        var state = State("/apps/web", "/apps/web/a", "/apps/webby");

        Assert.Equal(["/apps/web"], new KeyPattern("/apps/web").Matches(state).Select(entry => entry.Key));
        Assert.Empty(new KeyPattern("/apps/missing").Matches(state));
    }

    [Fact]
    public void An_escaped_wildcard_matches_the_literal_character_only()
    {
        var state = State("/apps/*", "/apps/a", "/apps/*/b");

        Assert.Equal(["/apps/*"], new KeyPattern("/apps/\\*").Matches(state).Select(entry => entry.Key));
    }

    [Fact]
    public void Matches_scans_from_the_literal_prefix_and_keys_before_and_after_it_do_not_match()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => $"/a/{i:D4}")
            .Concat(["/m/x1", "/m/x2", "/m/y1"])
            .Concat(Enumerable.Range(0, 1000).Select(i => $"/z/{i:D4}"));
        var state = State([.. keys]);

        Assert.Equal(["/m/x1", "/m/x2"], new KeyPattern("/m/x?").Matches(state).Select(entry => entry.Key));
        Assert.Equal(2003, new KeyPattern("/?/*").Matches(state).Count());
    }

    [Fact]
    public void An_empty_state_has_no_matches()
    {
        Assert.Empty(new KeyPattern("/apps/*").Matches(DesiredState.Empty));
    }
}

using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

public class KeyPrefixTests
{
    [Theory]
    [InlineData("/apps/web", "/apps/web", true)]
    [InlineData("/apps/web", "/apps/web/1", true)]
    [InlineData("/apps/web/", "/apps/web/1", true)]
    [InlineData("/apps/web", "/apps/webby/1", false)]
    [InlineData("/apps/web", "/apps/web-old", false)]
    [InlineData("/apps/web", "/apps", false)]
    [InlineData("/", "/anything/at/all", true)]
    public void Covers_matches_on_path_segment_boundaries(string prefix, string key, bool covered) =>
        Assert.Equal(covered, new KeyPrefix(prefix).Covers(key));

    [Fact]
    public void Minimal_drops_duplicates_and_prefixes_inside_others()
    {
        var minimal = KeyPrefixSet.Minimal([new("/apps/web/x"), new("/apps/web"), new("/apps/webby"), new("/apps/web/")]);

        Assert.Equal(["/apps/web", "/apps/webby"], minimal.Select(p => p.Value));
    }
}

using Reconciler.Actors.Rendering;

namespace Reconciler.Tests.Rendering;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Equal_texts_have_no_diff() => Assert.Equal(string.Empty, UnifiedDiff.Between("a\nb\n", "a\nb\n", "/etc/x"));

    [Fact]
    public void A_changed_line_is_a_hunk_with_context()
    {
        var diff = UnifiedDiff.Between("a\nb\nc\n", "a\nB\nc\n", "/etc/x");

        Assert.Equal(["--- /etc/x", "+++ /etc/x", "@@ -1,3 +1,3 @@", " a", "-b", "+B", " c"], diff.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_new_file_is_diffed_from_dev_null()
    {
        var diff = UnifiedDiff.Between(null, "a\n", "/etc/x");

        Assert.StartsWith("--- /dev/null\n+++ /etc/x\n", diff);
        Assert.Contains("+a", diff);
    }
}

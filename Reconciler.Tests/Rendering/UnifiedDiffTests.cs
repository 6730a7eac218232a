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

    [Theory]
    [InlineData("change", 5000)]
    [InlineData("insert", 5000)]
    [InlineData("delete", 5000)]
    [InlineData("change", 1)]
    [InlineData("change", 9999)]
    [InlineData("insert", 10000)]
    [InlineData("two", 3)]
    public async Task A_change_in_a_long_file_gives_the_hunks_diff_u_gives(string edit, int line)
    {
        var lines = Enumerable.Range(1, 10000).Select(i => $"    server s{i} 10.0.{i / 250}.{i % 250}:80").ToList();
        var old = string.Join('\n', lines) + "\n";
        switch (edit)
        {
            case "change": lines[line - 1] += " disabled"; break;
            case "insert": lines.Insert(line - 1, "    server new 10.9.9.9:80"); break;
            case "delete": lines.RemoveAt(line - 1); break;
            default: lines[line - 1] += " backup"; lines[line + 40] += " backup"; break;
        }

        var @new = string.Join('\n', lines) + "\n";
        var folder = Directory.CreateTempSubdirectory("reconciler-diff-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "old"), old);
            File.WriteAllText(Path.Combine(folder, "new"), @new);
            var gnu = await Fixtures.ExternalCommand.RunAsync("diff", ["-u", "old", "new"], TimeSpan.FromSeconds(10), workingDirectory: folder);

            Assert.Equal(Hunks(gnu.Stdout), Hunks(UnifiedDiff.Between(old, @new, "/etc/x")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // the lines after the two file headers
    private static string[] Hunks(string diff) => diff.TrimEnd('\n').Split('\n')[2..];
}

using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Runtime;

public sealed class HaproxyPatternsChangeTests
{
    private const string Name = "/etc/haproxy/hosts.map";

    [Fact]
    public void A_map_file_reads_as_haproxy_loads_it()
    {
        var text = "# comment\n   a.example   be1   \t\na.example be2\n\tb.example\tbe 3 with  spaces \n #c.example be4\n\nd.example be5\r\nkey-only\n";

        var read = HaproxyPatternFile.Read(text, isMap: true);

        Assert.Equal(
            ["a.example be1", "a.example be2", "b.example be 3 with  spaces", "#c.example be4", "d.example be5", "key-only "],
            read.Select(p => $"{p.Key} {p.Value}"));
    }

    [Fact]
    public void An_acl_file_keeps_a_patterns_inner_and_trailing_spaces()
    {
        var read = HaproxyPatternFile.Read("#10.0.0.1\n  10.0.0.2\n/path with space \n\n10.0.0.3\r\n", isMap: false);

        Assert.Equal(["10.0.0.2", "/path with space ", "10.0.0.3"], read.Select(p => p.Key));
        Assert.All(read, p => Assert.Null(p.Value));
    }

    [Fact]
    public void Counts_say_what_changed_by_key_and_a_comment_changes_nothing()
    {
        var change = HaproxyPatternsChange.Between("a x\nb y\nc z\n", "# new comment\na x\nb y2\nd w\n", isMap: true, Name);

        Assert.Equal((1, 1, 1), (change.Added, change.Changed, change.Removed));
        Assert.Null(change.Refusal);
        Assert.Equal("runtime (3 commands)", change.Summary);

        var comment = HaproxyPatternsChange.Between("a x\n", "# only a comment more\na x\n\n", isMap: true, Name);
        Assert.False(comment.ChangesPatterns);
        Assert.Equal(0, comment.CommandCount);
    }

    [Fact]
    public void The_same_entries_in_another_order_are_a_change_the_first_match_may_differ()
    {
        var change = HaproxyPatternsChange.Between("a x\na y\n", "a y\na x\n", isMap: true, Name);

        Assert.True(change.ChangesPatterns);
    }

    [Fact]
    public void Batches_stay_under_the_bound_and_carry_every_entry_in_order()
    {
        var rendered = string.Concat(Enumerable.Range(0, 10000).Select(i => $"host-{i:00000}.example.com backend-{i % 7}\n"));

        var change = HaproxyPatternsChange.Between(string.Empty, rendered, isMap: true, Name);
        var batches = change.Batches().ToList();

        Assert.All(batches, b => Assert.True(b.Sum(line => line.Length + 1) <= HaproxyPatternsChange.BatchBytes));
        Assert.Equal(rendered.Split('\n', StringSplitOptions.RemoveEmptyEntries), batches.SelectMany(b => b));
        Assert.Equal(batches.Count + 2, change.CommandCount);
        Assert.InRange(batches.Count, 40, 60);
    }

    [Fact]
    public void An_acl_batch_is_commands_on_one_line_within_the_bound()
    {
        var rendered = string.Concat(Enumerable.Range(0, 2000).Select(i => $"10.0.{i / 250}.{i % 250}\n"));

        var batches = HaproxyPatternsChange.Between(string.Empty, rendered, isMap: false, "/etc/haproxy/deny.acl").Batches().ToList();

        Assert.All(batches, b => Assert.True(string.Join("; ", b.Select(p => $"add acl @4294967295 /etc/haproxy/deny.acl {p}")).Length <= HaproxyPatternsChange.BatchBytes));
        Assert.Equal(2000, batches.Sum(b => b.Count));
    }

    [Theory]
    [InlineData(true, "a.example x\nkey-only\n", "map key key-only has no value, which 'add map' cannot send")]
    [InlineData(true, "caf\u00e9.example x\n", "map entry caf\\u00e9.example is not printable ASCII")]
    [InlineData(false, "10.0.0.1; show info\n", "ACL pattern 10.0.0.1; show info cannot be sent to the admin socket as one word")]
    [InlineData(false, "/with space\n", "ACL pattern /with space cannot be sent to the admin socket as one word")]
    public void What_the_socket_cannot_carry_exactly_is_a_refusal_with_the_reason(bool isMap, string rendered, string reason)
    {
        var change = HaproxyPatternsChange.Between(string.Empty, rendered, isMap, Name);

        Assert.Equal(reason, change.Refusal);
        Assert.Equal($"reload ({reason})", change.Summary);
    }

    [Fact]
    public void A_line_longer_than_haproxy_reads_at_once_is_a_refusal()
    {
        var change = HaproxyPatternsChange.Between(string.Empty, $"a.example {new string('x', 17000)}\n", isMap: true, Name);

        Assert.Equal($"line 1 is longer than HAProxy reads in one piece ({HaproxyPatternFile.LongestLine} bytes)", change.Refusal);
    }
}

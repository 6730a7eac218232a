using System.Text;
using Reconciler.Actors.Fleet;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Fleet;

/// <summary>A fleet record is any writer's text: what does not parse is skipped with a warning naming the key, escaped.</summary>
public sealed class FleetRecordParserTests
{
    private static readonly KeyPrefix Prefix = new("/reconciler/fleet");
    private const string Good = """{"node":"lb-1","template":"t","revision":7,"sha256":"ab","outcome":"ok","how":"reload","appliedAt":"2026-01-01T00:00:00Z","version":"1"}""";

    [Fact]
    public void A_record_is_read_with_its_node_and_template_from_its_key()
    {
        var record = Parse("/reconciler/fleet/lb-1/t", Good, out var warning);

        Assert.Null(warning);
        Assert.Equal(new FleetRecord("lb-1", "t", 7, "ab", "ok", "reload", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "1"), record);
    }

    [Theory]
    [InlineData("/reconciler/fleet/lb-1/t", "{ not json", "skipped /reconciler/fleet/lb-1/t: not a fleet record")]
    [InlineData("/reconciler/fleet/lb-1/t", """{"node":"lb-1","template":"t"}""", "skipped /reconciler/fleet/lb-1/t: not a fleet record")]
    [InlineData("/reconciler/fleet/lb-1/t", """{"node":"lb-1","template":"t","revision":7,"sha256":null,"outcome":"ok","how":"reload","appliedAt":"2026-01-01T00:00:00Z","version":"1"}""", "not a fleet record")]
    [InlineData("/reconciler/fleet/lb-2/t", Good, "skipped /reconciler/fleet/lb-2/t: its node and template are not those of its key")]
    [InlineData("/reconciler/fleet/lb-1", Good, "skipped /reconciler/fleet/lb-1: not <prefix>/<node>/<template>")]
    [InlineData("/reconciler/fleet/\u001b[2J/t", "null", @"skipped /reconciler/fleet/\x1b[2J/t: its node and template are not those of its key")]
    public void What_is_no_record_of_its_key_is_skipped_with_the_key_escaped(string key, string value, string expected)
    {
        Assert.Null(Parse(key, value, out var warning));
        Assert.Contains(expected, warning);
    }

    [Fact]
    public void A_huge_value_is_not_decoded()
    {
        Assert.Null(Parse("/reconciler/fleet/lb-1/t", new string(' ', 1024 * 1024) + Good, out var warning));
        Assert.Equal("skipped /reconciler/fleet/lb-1/t: 1048712 bytes, over the 16384 a fleet record may have", warning);
    }

    private static FleetRecord? Parse(string key, string value, out string? warning) =>
        FleetRecordParser.Parse(Prefix, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), out warning);
}

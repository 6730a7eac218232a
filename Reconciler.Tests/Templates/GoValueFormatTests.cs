using Reconciler.Actors.Templates;
using Scriban.Runtime;

namespace Reconciler.Tests.Templates;

/// <summary>Go's fmt as confd prints through it; every expected text is what Go 1.19 (confd's build) prints.</summary>
public class GoValueFormatTests
{
    private static readonly string[] ThreeLetters = ["a", "b", "c"];
    private static readonly string[] TwoLetters = ["a", "b"];

    [Theory]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(123456.0, "123456")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(8080.0, "8080")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(0.0, "0")]
    public void A_float64_prints_in_gos_shortest_form(double number, string expected) =>
        Assert.Equal(expected, GoValueFormat.Print(number));

    [Fact]
    public void Lists_and_maps_print_as_go_prints_them_with_sorted_keys()
    {
        var map = new ScriptObject { ["b"] = 1.0, ["a"] = "x", ["c"] = new ScriptArray { 1.0, 2.5, "s" }, ["d"] = new ScriptObject { ["z"] = true, ["y"] = null } };

        Assert.Equal("map[a:x b:1 c:[1 2.5 s] d:map[y:<nil> z:true]]", GoValueFormat.Print(map));
        Assert.Equal("[a b c]", GoValueFormat.Print(ThreeLetters));
        Assert.Equal("[1 2 3]", GoValueFormat.Print(new long[] { 1, 2, 3 }));
        Assert.Equal("[{/s/a 1} {/s/b 2}]", GoValueFormat.Print(new[] { new KeyValueEntry("/s/a", "1"), new KeyValueEntry("/s/b", "2") }));
    }

    [Fact]
    public void A_missing_value_prints_as_no_value()
    {
        Assert.Equal("<no value>", GoValueFormat.Print(null));
        Assert.Equal("[<nil>]", GoValueFormat.Print(new object?[] { null }));
    }

    [Fact]
    public void Sprint_spaces_operands_only_between_two_non_strings() =>
        Assert.Equal("ab1 2ctrue", GoValueFormat.Sprint(["a", "b", 1L, 2L, "c", true]));

    [Theory]
    [InlineData("%05d|%-10s|%x|%q|%v|%10s|%-5d|%X", new object[] { 42L, "ab", 255L, "q\"t", "v", "r", 7L, 255L }, "00042|ab        |ff|\"q\\\"t\"|v|         r|7    |FF")]
    [InlineData("%x %X %o %5.2f %e %g %t %%", new object[] { "hi", "hi", 8L, 3.14159, 1234.5678, 0.000012, true }, "6869 6869 10  3.14 1.234568e+03 1.2e-05 true %")]
    [InlineData("%+d % d %-4d| %#x %08.3f", new object[] { 5L, 5L, 5L, 255L, 3.14159 }, "+5  5 5   | 0xff 0003.142")]
    [InlineData("%d", new object[] { "db.local" }, "%!d(string=db.local)")]
    [InlineData("%s %s", new object[] { "one" }, "one %!s(MISSING)")]
    [InlineData("%s", new object[] { "one", "two" }, "one%!(EXTRA string=two)")]
    [InlineData("%.2s|%5.1f|%-6v|", new object[] { "héllo", -2.25, true }, "hé| -2.2|true  |")]
    public void Printf_formats_as_gos_sprintf(string format, object[] arguments, string expected) =>
        Assert.Equal(expected, GoValueFormat.Sprintf(format, arguments));

    [Fact]
    public void Printf_applies_the_verb_to_each_element_of_a_list_or_map() =>
        Assert.Equal("[a b] map[a:1 b:2] [ 1  2]", GoValueFormat.Sprintf("%v %v %2d", [TwoLetters, new ScriptObject { ["b"] = 2.0, ["a"] = 1.0 }, new long[] { 1, 2 }]));

    [Theory]
    [InlineData("%*d")]
    [InlineData("%[1]d")]
    [InlineData("%.3g")]
    public void Printf_refuses_what_it_cannot_reproduce_rather_than_print_something_else(string format) =>
        Assert.Throws<FormatException>(() => GoValueFormat.Sprintf(format, [3.0]));

    [Fact]
    public void Printf_gives_gos_in_band_error_for_a_verb_go_rejects_and_refuses_one_go_accepts_but_it_does_not_reproduce()
    {
        Assert.Equal("%!q(float64=3)", GoValueFormat.Sprintf("%q", [3.0]));
        Assert.Throws<FormatException>(() => GoValueFormat.Sprintf("%q", [65L]));
    }
}

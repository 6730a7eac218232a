using System.Globalization;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Templates;

public sealed class HaproxySlotsTests
{
    private const string Template = """{{ for slot in haproxySlots (getvs "/apps/*") 4 }}{{ slot.number }}={{ slot.value ?? "-" }}|{{ end }}""";

    [Fact]
    public void Every_value_gets_a_slot_and_the_empty_ones_are_null()
    {
        var slots = Render("a", "b", "c");

        Assert.Equal(4, slots.Count);
        Assert.Equal(["a", "b", "c"], slots.Values.Where(v => v != "-").Order());
    }

    [Fact]
    public void A_value_keeps_its_slot_when_others_come_and_go()
    {
        var before = Render("web-1 10.0.0.1:80", "web-2 10.0.0.2:80");
        var after = Render("web-2 10.0.0.2:80", "web-3 10.0.0.3:80");

        Assert.Equal(SlotOf(before, "web-2 10.0.0.2:80"), SlotOf(after, "web-2 10.0.0.2:80"));
    }

    [Fact]
    public void The_slots_double_when_the_values_outgrow_them()
    {
        Assert.Equal(8, Render("a", "b", "c", "d", "e").Count);
        Assert.Equal(4, Render("a", "b", "c", "d").Count);
    }

    [Fact]
    public void A_value_that_collided_keeps_its_slot_when_the_one_it_collided_with_leaves()
    {
        var (first, second) = CollidingPair();
        var template = CompiledTemplate.Parse(Template, "slots.sbn");

        var both = Render(template, first, second);
        var alone = Render(template, second);

        Assert.NotEqual(SlotOf(both, first), SlotOf(both, second));
        Assert.Equal(SlotOf(both, second), SlotOf(alone, second));
    }

    [Fact]
    public void A_new_value_never_takes_the_slot_of_one_that_stays()
    {
        var (first, second) = CollidingPair();
        var template = CompiledTemplate.Parse(Template, "slots.sbn");

        var before = Render(template, second);
        var after = Render(template, first, second);

        Assert.Equal(SlotOf(before, second), SlotOf(after, second));
    }

    /// <summary>Two values whose hashes name the same slot, the first sorting before the second.</summary>
    private static (string First, string Second) CollidingPair()
    {
        var values = Enumerable.Range(0, 100).Select(i => $"web-{i:D2} 10.0.0.{i}:80");
        var pair = values.GroupBy(value => SlotOf(Render(value), value)).First(home => home.Count() >= 2).Order(StringComparer.Ordinal).Take(2).ToArray();
        return (pair[0], pair[1]);
    }

    private static int SlotOf(Dictionary<int, string> slots, string value) => slots.Single(s => s.Value == value).Key;

    private static Dictionary<int, string> Render(params string[] values) => Render(CompiledTemplate.Parse(Template, "slots.sbn"), values);

    private static Dictionary<int, string> Render(CompiledTemplate template, params string[] values)
    {
        var state = DesiredState.From(values.Select((value, i) => KeyValuePair.Create($"/apps/{i}", value)), 1);

        var text = template.Render(state, CancellationToken.None);
        return text.Split('|', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => int.Parse(pair[0], CultureInfo.InvariantCulture), pair => pair[1]);
    }
}

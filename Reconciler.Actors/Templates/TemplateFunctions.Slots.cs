using System.Collections;
using System.Globalization;
using Reconciler.Actors.Networks;
using Scriban;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// <c>haproxySlots values minimum</c>: spreads values over a fixed set of numbered slots, each value keeping its slot
/// from one render to the next, so an HAProxy template can declare a server per slot (a placeholder when empty) and
/// instances coming and going only change a slot's address and state, which the runtime API applies without a reload.
/// </summary>
internal sealed partial class TemplateFunctions
{
    /// <summary>Slots are for pools of tens to hundreds; a registry that floods the prefix must not grow the file without bound.</summary>
    private const int DefaultMaximumSlots = 1024;

    private void RegisterSlotFunctions() => Register<TemplateContext, IEnumerable, int, int, ScriptArray>("haproxySlots", Slots);

    /// <summary>
    /// <paramref name="minimum"/> slots, doubled until every value fits, at most <paramref name="maximum"/> (more values
    /// hold the render back); each item has <c>number</c> (1-based) and <c>value</c> (null for an empty slot). The values
    /// are strings or the items of <c>instances</c> (placed by their <c>value</c>). A value keeps the slot it had in the
    /// template's last render; a new one takes the slot a hash of it names (FNV-1a, the same in every process), or the
    /// next free one (<see cref="SlotAssignments"/>).
    /// </summary>
    private ScriptArray Slots(TemplateContext context, IEnumerable values, int minimum, int maximum = DefaultMaximumSlots)
    {
        if (minimum < 1 || maximum < minimum)
        {
            throw new ArgumentException("haproxySlots needs a minimum of at least 1 slot and a maximum of at least the minimum");
        }

        var items = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var value in values.Cast<object?>())
        {
            var identity = Identity(context, value);
            if (!items.ContainsKey(identity) && PointsWhereAllowed(identity))
            {
                items.Add(identity, value);
            }
        }

        if (SlotAssignments.CapacityFor(items.Count, minimum) > maximum)
        {
            throw new ValueLimitExceededException("haproxySlots' maximum", string.Create(
                CultureInfo.InvariantCulture,
                $"{items.Count} values need more than {maximum} slots (raise it with haproxySlots' third argument)"));
        }

        var slots = slotAssignments.Assign(slotCalls++, [.. items.Keys.Order(StringComparer.Ordinal)], minimum);
        var result = new ScriptArray(slots.Length);
        for (var i = 0; i < slots.Length; i++)
        {
            result.Add(new ScriptObject { ["number"] = i + 1, ["value"] = slots[i] is { } identity ? items[identity] : null });
        }

        return result;
    }

    /// <summary>
    /// False when <paramref name="identity"/> is an instance registration (<c>&lt;name&gt; &lt;host&gt;:&lt;port&gt;</c>),
    /// a <c>&lt;host&gt;:&lt;port&gt;</c> or an address that the template's allowed-networks or allow-hostnames refuse
    /// (<c>getvs</c> hands such values out unchecked): each key holding it is skipped and reported. A value that is
    /// none of these is placed as it is; a refused one no key holds (the template built it) is left out and reported
    /// by its value.
    /// </summary>
    private bool PointsWhereAllowed(string identity)
    {
        string? refusal;
        if (InstanceValue.TryParse(identity, out var instance, out _))
        {
            refusal = instance!.Refusal(guard.Addresses);
        }
        else if (InstanceValue.TryParseEndpoint(identity, out var host, out _, out _))
        {
            refusal = InstanceValue.HostRefusal(host, guard.Addresses);
        }
        else if (HaproxyAddressSyntax.TryParseAddress(identity, out var address))
        {
            refusal = guard.Addresses.Refusal(address);
        }
        else
        {
            return true;
        }

        if (refusal is null)
        {
            return true;
        }

        // the keys holding the value, indexed once per render (not a scan of every key per refused value)
        keysByValue ??= state.Keys.ToLookup(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
        var holders = keysByValue[identity];
        if (!holders.Any())
        {
            // the template built it (from several keys, say): left out like any refused value, named by what it is,
            // rather than failing the render, which would freeze the file on one registrant's value
            guard.Skip($"haproxySlots value {identity}", refusal);
        }

        foreach (var key in holders)
        {
            guard.Skip(key, $"its host {refusal}");
        }

        return false;
    }

    private static string Identity(TemplateContext context, object? value) =>
        value is ScriptObject instance && instance.TryGetValue("value", out var text) && text is string identity
            ? identity
            : context.ObjectToString(value) ?? string.Empty;
}

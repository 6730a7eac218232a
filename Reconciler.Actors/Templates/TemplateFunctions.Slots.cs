using System.Collections;
using Scriban;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// <c>haproxySlots values minimum</c>: spreads values over a fixed set of numbered slots, each value keeping its slot
/// from one render to the next, so an HAProxy template can declare a server per slot (a placeholder when empty) and
/// instances coming and going only change a slot's address and state, which the runtime API applies without a reload.
/// </summary>
public sealed partial class TemplateFunctions
{
    private void RegisterSlotFunctions() => Register("haproxySlots", Slots);

    /// <summary>
    /// <paramref name="minimum"/> slots, doubled until every value fits; each item has <c>number</c> (1-based) and
    /// <c>value</c> (null for an empty slot). A value keeps the slot it had in the template's last render; a new one
    /// takes the slot a hash of it names (FNV-1a, the same in every process), or the next free one
    /// (<see cref="SlotAssignments"/>).
    /// </summary>
    private ScriptArray Slots(TemplateContext context, IEnumerable values, int minimum)
    {
        if (minimum < 1)
        {
            throw new ArgumentException("haproxySlots needs a minimum of at least 1 slot");
        }

        var items = values.Cast<object?>().Select(v => context.ObjectToString(v) ?? string.Empty).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var slots = slotAssignments.Assign(slotCalls++, items, minimum);
        var result = new ScriptArray(slots.Length);
        for (var i = 0; i < slots.Length; i++)
        {
            result.Add(new ScriptObject { ["number"] = i + 1, ["value"] = slots[i] });
        }

        return result;
    }
}

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
    /// <c>value</c> (null for an empty slot). A value's slot comes from a hash of the value (FNV-1a, the same in every
    /// process), the next free one on a collision: it does not depend on the other values unless they collide.
    /// </summary>
    private static ScriptArray Slots(TemplateContext context, IEnumerable values, int minimum)
    {
        if (minimum < 1)
        {
            throw new ArgumentException("haproxySlots needs a minimum of at least 1 slot");
        }

        var items = values.Cast<object?>().Select(v => context.ObjectToString(v) ?? string.Empty).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var capacity = minimum;
        while (capacity < items.Count)
        {
            capacity *= 2;
        }

        var slots = new string?[capacity];
        foreach (var item in items)
        {
            var at = (int)(Fnv1a(item) % (uint)capacity);
            while (slots[at] is not null)
            {
                at = (at + 1) % capacity;
            }

            slots[at] = item;
        }

        var result = new ScriptArray(capacity);
        for (var i = 0; i < capacity; i++)
        {
            result.Add(new ScriptObject { ["number"] = i + 1, ["value"] = slots[i] });
        }

        return result;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }
}

using System.Collections;
using System.Text;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// Go template semantics that converted confd templates rely on and Scriban lacks: the converter emits calls to
/// these where Go and Scriban differ (truth, printing, printf, len, range over a map).
/// </summary>
internal sealed partial class TemplateFunctions
{
    /// <summary>The functions the Go template converter emits; not confd's, so a confd template cannot name them.</summary>
    public static readonly IReadOnlySet<string> GoTemplateHelpers =
        new HashSet<string>(StringComparer.Ordinal) { "isTrue", "goPrint", "goPrintf", "goSprint", "goSprintln", "goLen", "goIndex", "goRange", "goPairs" };

    private void RegisterGoTemplateFunctions()
    {
        Register<object?, bool>("isTrue", IsTrue);
        Register<object?, string>("goPrint", GoValueFormat.Print);
        Register("goPrintf", (string format, object?[] arguments) => GoValueFormat.Sprintf(format, arguments));
        Register("goSprint", (object?[] values) => GoValueFormat.Sprint(values));
        Register("goSprintln", (object?[] values) => GoValueFormat.Sprintln(values));
        Register<object?, long>("goLen", GoLength);
        Register("goIndex", (object? value, object?[] keys) => keys.Aggregate(value, GoIndex));
        Register<object?, IEnumerable>("goRange", RangeValues);
        Register<object?, ScriptArray>("goPairs", RangePairs);
    }

    /// <summary>
    /// Go's <c>template.IsTrue</c>, the truth of <c>{{if x}}</c>: false for nil, false, zero and an empty string,
    /// list or map. Scriban counts <c>""</c>, <c>0</c> and <c>[]</c> as true, so a converted <c>{{if getv "/x" ""}}</c>
    /// needs this to keep its meaning.
    /// </summary>
    private static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool flag => flag,
        string text => text.Length > 0,
        int number => number != 0,
        long number => number != 0,
        double number => number != 0,
        decimal number => number != 0,
        KeyValueEntry => true,
        IScriptObject map => map.Count > 0,
        ICollection list => list.Count > 0,
        IEnumerable items => items.GetEnumerator().MoveNext(),
        _ => true,
    };

    /// <summary>Go's len: a string's length in UTF-8 bytes, a list's or map's in elements.</summary>
    private static long GoLength(object? value) => value switch
    {
        string text => Encoding.UTF8.GetByteCount(text),
        IScriptObject map and not (KeyValueEntry or ScriptArray) => map.Count,
        ICollection list => list.Count,
        IEnumerable items => items.Cast<object?>().LongCount(),
        _ => throw new ArgumentException($"len of {(value is null ? "nil" : "a single value")}: Go's len takes a string, list or map"),
    };

    /// <summary>
    /// One step of Go's index: a list's element (out of range is an error), a map's value (nil when missing),
    /// a string's byte as a number.
    /// </summary>
    private static object? GoIndex(object? value, object? key) => (value, key) switch
    {
        (string text, long or int) => (long)Encoding.UTF8.GetBytes(text)[ElementIndex(Encoding.UTF8.GetByteCount(text), key)],
        (IList list, long or int) => list[ElementIndex(list.Count, key)],
        (IScriptObject map and not (KeyValueEntry or ScriptArray), string member) => GoValueFormat.Member(map, member),
        (null, _) => throw new ArgumentException("index of untyped nil"),
        _ => throw new ArgumentException($"cannot index {GoValueFormat.Value(value)} with {GoValueFormat.Value(key)}"),
    };

    private static int ElementIndex(int count, object? key)
    {
        var index = Convert.ToInt64(key, System.Globalization.CultureInfo.InvariantCulture);
        return index >= 0 && index < count ? (int)index : throw new ArgumentException($"index out of range: {index}");
    }

    /// <summary>What Go's <c>{{range x}}</c> visits: a list's elements, a map's values in sorted key order, nothing for nil.</summary>
    private static IEnumerable RangeValues(object? value) => value switch
    {
        null => Array.Empty<object>(),
        IScriptObject map and not (KeyValueEntry or ScriptArray) => map.GetMembers().Order(StringComparer.Ordinal).Select(key => GoValueFormat.Member(map, key)).ToArray(),
        string or KeyValueEntry => throw new ArgumentException("range can't iterate over a single value"),
        IEnumerable items => items,
        _ => throw new ArgumentException("range can't iterate over a single value"),
    };

    /// <summary>What <c>{{range $k, $v := x}}</c> binds: a map's keys (sorted) and values, a list's indexes and elements.</summary>
    private static ScriptArray RangePairs(object? value)
    {
        IEnumerable<(object Key, object? Value)> pairs = value switch
        {
            IScriptObject map and not (KeyValueEntry or ScriptArray) => map.GetMembers().Order(StringComparer.Ordinal).Select(key => ((object)key, GoValueFormat.Member(map, key))),
            _ => RangeValues(value).Cast<object?>().Select((item, index) => ((object)(long)index, item)),
        };
        return new ScriptArray(pairs.Select(pair => new ScriptObject { ["key"] = pair.Key, ["value"] = pair.Value }));
    }
}

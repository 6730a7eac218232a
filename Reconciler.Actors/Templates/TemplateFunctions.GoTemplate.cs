using System.Collections;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>Go template semantics that converted confd templates rely on and Scriban lacks.</summary>
public sealed partial class TemplateFunctions
{
    private void RegisterGoTemplateFunctions() => Register("isTrue", IsTrue);

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
}

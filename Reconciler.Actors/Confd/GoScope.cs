using System.Text.RegularExpressions;

namespace Reconciler.Actors.Confd;

/// <summary>The blocks open at the current point of a Go template, innermost first, with their dots and variables.</summary>
internal sealed partial class GoScope
{
    private readonly Stack<GoBlock> blocks = new([new GoBlock(GoBlockKind.Template, null, null, 1, 1)]);

    public GoBlock Current => blocks.Peek();

    public string? Dot => Current.Dot;

    public bool IsInsideRange => blocks.Any(block => block.Kind == GoBlockKind.Range);

    /// <summary>Blocks still open, outermost first; at the end of the template each lacks its <c>{{end}}</c>.</summary>
    public IEnumerable<GoBlock> OpenBlocks => blocks.Reverse().Skip(1);

    public void Open(GoBlockKind kind, string? dot, int line, int column) =>
        blocks.Push(kind == GoBlockKind.If
            ? new GoBlock(kind, dot, Dot, line, column).WithDotOf(Current)
            : new GoBlock(kind, dot, Dot, line, column));

    /// <exception cref="UnconvertibleConstructException">No block is open.</exception>
    public void Close()
    {
        if (blocks.Count == 1)
        {
            throw new UnconvertibleConstructException("{{end}} without {{if}}, {{range}} or {{with}}");
        }

        blocks.Pop();
    }

    /// <summary>
    /// A name for a value Go keeps in dot (a range element, a with value); numbered by depth so nested blocks never
    /// share one. Go variables keep their <c>$</c>, so these never collide with them.
    /// </summary>
    public string NameForDot(string name) => blocks.Count == 1 ? name : $"{name}{blocks.Count}";

    /// <summary>Declares a Go variable in the current block; returns its Scriban name.</summary>
    /// <exception cref="UnconvertibleConstructException">The name has the form the converter gives hiding variables.</exception>
    public string Declare(string variable)
    {
        if (HidingName().IsMatch(variable))
        {
            throw new UnconvertibleConstructException($"{variable}: names ending in __ and a number are the converter's own; rename it");
        }

        // Go makes a new variable that hides the outer one until {{end}}; Scriban has one scope, so the inner one
        // gets a name of its own
        var name = blocks.Skip(1).Any(block => block.Variables.ContainsKey(variable))
            ? $"{variable}__{blocks.Count}"
            : variable;
        Current.Variables[variable] = name;
        return name;
    }

    /// <summary>The Scriban name of the innermost Go variable so named.</summary>
    /// <exception cref="UnconvertibleConstructException">Go would reject the template: the variable is not declared here.</exception>
    public string Resolve(string variable) =>
        blocks.FirstOrDefault(block => block.Variables.ContainsKey(variable))?.Variables[variable]
        ?? throw new UnconvertibleConstructException($"undefined variable {variable}");

    [GeneratedRegex(@"__[0-9]+$")]
    private static partial Regex HidingName();
}

namespace Reconciler.Actors.Confd;

/// <summary>The blocks open at the current point of a Go template, innermost first, with their dots and variables.</summary>
internal sealed class GoScope
{
    private readonly Stack<GoBlock> blocks = new([new GoBlock(GoBlockKind.Template, null, null, 1, 1)]);

    public GoBlock Current => blocks.Peek();

    public string? Dot => Current.Dot;

    public bool IsInsideRange => blocks.Any(block => block.Kind == GoBlockKind.Range);

    /// <summary>Blocks still open, outermost first; at the end of the template each lacks its <c>{{end}}</c>.</summary>
    public IEnumerable<GoBlock> OpenBlocks => blocks.Reverse().Skip(1);

    public void Open(GoBlockKind kind, string? dot, int line, int column) =>
        blocks.Push(new GoBlock(kind, dot, Dot, line, column));

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

    /// <exception cref="UnconvertibleConstructException">The name hides a variable of an enclosing block.</exception>
    public void Declare(string variable)
    {
        // Go makes a new variable that hides the outer one until {{end}}; Scriban would overwrite the outer one.
        if (blocks.Skip(1).Any(block => block.Variables.Contains(variable)))
        {
            throw new UnconvertibleConstructException(
                $"{variable} is declared again inside {{{{{Current.Keyword}}}}}, hiding the outer {variable}; Scriban has no such scopes: rename one of them");
        }

        Current.Variables.Add(variable);
    }

    /// <exception cref="UnconvertibleConstructException">Go would reject the template: the variable is not declared here.</exception>
    public void RequireDeclared(string variable)
    {
        if (!blocks.Any(block => block.Variables.Contains(variable)))
        {
            throw new UnconvertibleConstructException($"undefined variable {variable}");
        }
    }
}

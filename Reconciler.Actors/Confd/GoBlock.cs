namespace Reconciler.Actors.Confd;

/// <summary>
/// An open <c>{{if}}</c>, <c>{{range}}</c> or <c>{{with}}</c> (or the template itself): where it started, the Scriban
/// expression that Go's dot stands for inside it, and the Go variables declared in it.
/// </summary>
internal sealed class GoBlock(GoBlockKind kind, string? dot, string? outerDot, int line, int column)
{
    public GoBlockKind Kind => kind;

    /// <summary>What <c>.</c> means here; null where confd's dot is its empty template data.</summary>
    public string? Dot { get; private set; } = dot;

    public int Line => line;

    public int Column => column;

    /// <summary>The Go variables declared here, each with its name in the Scriban template.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public string Keyword => kind.ToString().ToLowerInvariant();

    /// <summary>Dot is known to be a string here (an element of getvs, ls, split…), which prints without goPrint.</summary>
    public bool DotIsString { get; private set; }

    /// <summary>Dot is known to be a get/gets entry here, whose .Key and .Value are strings.</summary>
    public bool DotIsEntry { get; private set; }

    /// <summary>Sets what dot means once the block's variables are named (a range's element, a with's value).</summary>
    public void SetDot(string value, bool isString, bool isEntry = false)
    {
        Dot = value;
        DotIsString = isString;
        DotIsEntry = isEntry;
    }

    /// <summary>An if keeps the dot of the block around it, and what is known of it.</summary>
    public GoBlock WithDotOf(GoBlock outer)
    {
        DotIsString = outer.DotIsString;
        DotIsEntry = outer.DotIsEntry;
        return this;
    }

    /// <summary>In the <c>{{else}}</c> of a range or with, dot is the outer dot again.</summary>
    public void EnterElse()
    {
        if (kind is GoBlockKind.Range or GoBlockKind.With)
        {
            Dot = outerDot;
            DotIsString = false;
            DotIsEntry = false;
        }
    }
}

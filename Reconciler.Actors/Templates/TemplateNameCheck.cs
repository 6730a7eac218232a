using Reconciler.Actors.Display;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Reconciler.Actors.Templates;

/// <summary>
/// Every name a template reads must exist: a template function (<see cref="TemplateFunctions"/>), a Scriban builtin
/// and its members (<c>string.upcase</c>), one of the template's vars, or a variable the template sets itself (an
/// assignment, a loop variable, a capture, a function and its parameters, anywhere in the file). A name that is none
/// of these fails the first render (strict variables); <c>check</c> finds it first. Inside a <c>with</c> block names
/// may be the object's members, which only a render knows: they are not checked.
/// </summary>
internal sealed class TemplateNameCheck : ScriptVisitor
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly List<ScriptVariable> _read = [];
    private readonly List<(string Object, ScriptVariable Member)> _members = [];
    private int _withDepth;

    private TemplateNameCheck()
    {
    }

    /// <summary>The first name <paramref name="page"/> reads that does not exist, as <c>(line, column): unknown …</c> (1-based); null when all do.</summary>
    /// <param name="builtins">Scriban's builtins, whose objects' members are checked too.</param>
    /// <param name="names">The template functions' names and the template's vars.</param>
    public static (SourceSpan Span, string Problem)? FirstUnknown(ScriptPage page, ScriptObject builtins, IEnumerable<string> names)
    {
        var check = new TemplateNameCheck();
        check.Visit(page);
        // and what Scriban itself names: the loop objects (for.index, while.index, tablerow.col), this, empty, blank
        var known = new HashSet<string>(check._set, StringComparer.Ordinal) { "vars", "for", "while", "tablerow", "this", "empty", "blank" };
        known.UnionWith(names);
        known.UnionWith(builtins.Keys);
        var globals = builtins;
        var problems = check._read
            .Where(v => !known.Contains(v.Name))
            .Select(v => (v.Span, Problem: Unknown("variable or function", v.Name, known)))
            .Concat(check._members
                .Where(m => !check._set.Contains(m.Object) && globals[m.Object] is ScriptObject builtin && !builtin.ContainsKey(m.Member.Name))
                .Select(m => (m.Member.Span, Problem: Unknown("function", $"{m.Object}.{m.Member.Name}", ((ScriptObject)globals[m.Object]!).Keys.Select(k => $"{m.Object}.{k}")))));
        return problems.OrderBy(p => p.Span.Start.Offset).Cast<(SourceSpan, string)?>().FirstOrDefault();
    }

    public override void Visit(ScriptVariableGlobal node)
    {
        if (_withDepth == 0)
        {
            _read.Add(node);
        }
    }

    public override void Visit(ScriptAssignExpression node)
    {
        Sets(node.Target);
        base.Visit(node);
    }

    public override void Visit(ScriptForStatement node)
    {
        Sets(node.Variable);
        base.Visit(node);
    }

    public override void Visit(ScriptTableRowStatement node)
    {
        Sets(node.Variable);
        base.Visit(node);
    }

    public override void Visit(ScriptCaptureStatement node)
    {
        Sets(node.Target);
        base.Visit(node);
    }

    public override void Visit(ScriptFunction node)
    {
        Sets(node.NameOrDoToken);
        foreach (var parameter in node.Parameters ?? [])
        {
            Sets(parameter.Name);
        }

        base.Visit(node);
    }

    public override void Visit(ScriptMemberExpression node)
    {
        if (node.Target is ScriptVariableGlobal target && node.Member is not null && _withDepth == 0)
        {
            _members.Add((target.Name, node.Member));
        }

        // the member itself is not a variable: only the target is read
        Visit(node.Target);
    }

    /// <summary>In <c>{a: 1}</c> the name is a key, not a variable read: only the value is.</summary>
    public override void Visit(ScriptObjectMember node) => Visit(node.Value);

    public override void Visit(ScriptWithStatement node)
    {
        Visit(node.Name);
        _withDepth++;
        Visit(node.Body);
        _withDepth--;
    }

    private void Sets(ScriptNode? target)
    {
        if (target is ScriptVariable variable)
        {
            _set.Add(variable.Name);
        }
    }

    private static string Unknown(string what, string name, IEnumerable<string> known) =>
        NearestWord.Of(name, known) is { } nearest && nearest != name
            ? $"unknown {what} {name}; did you mean {nearest}?"
            : $"unknown {what} {name}";
}

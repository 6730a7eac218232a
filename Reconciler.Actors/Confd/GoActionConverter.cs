namespace Reconciler.Actors.Confd;

/// <summary>
/// Converts Go template actions one after another into the code of Scriban blocks, keeping track of the open
/// <c>if</c>/<c>range</c>/<c>with</c> blocks: what dot means in each, and which variables exist.
/// </summary>
internal sealed class GoActionConverter
{
    private readonly GoScope scope = new();

    /// <summary>Blocks never closed by <c>{{end}}</c>, once every action was converted.</summary>
    public IEnumerable<GoBlock> UnclosedBlocks => scope.OpenBlocks;

    /// <summary>The Scriban code for the inside of <paramref name="action"/>'s braces.</summary>
    /// <exception cref="UnconvertibleConstructException">The action has no Scriban equivalent, or is not valid Go.</exception>
    public string Convert(GoTemplatePart action)
    {
        var tokens = action.Tokens;
        var keyword = tokens.Count > 0 && tokens[0].Kind == GoTokenKind.Identifier ? tokens[0].Value : null;
        var rest = tokens.Skip(1).ToList();
        return keyword switch
        {
            "if" => If(rest, action),
            "else" => Else(rest),
            "end" => End(rest),
            "range" => Range(rest, action),
            "with" => With(rest, action),
            "break" or "continue" => LoopControl(keyword, rest),
            "define" or "template" or "block" => throw new UnconvertibleConstructException(
                $"{{{{{keyword}}}}}: nested templates cannot be converted; write their text in place"),
            _ => Statement(tokens),
        };
    }

    /// <summary><c>{{if $x := p}}</c> declares $x and tests it.</summary>
    private string If(List<GoToken> tokens, GoTemplatePart action)
    {
        var (variables, declares, start) = Declaration(tokens, allowTwo: false);
        var dot = scope.Dot;
        scope.Open(GoBlockKind.If, dot, action.Line, action.Column);
        var condition = Pipeline(tokens[start..], dot);
        if (variables.Count == 0)
        {
            return $"if {condition.AsCondition.Text}";
        }

        var variable = Bind(variables[0], declares);
        return $"{variable} = {condition.AsValue}; if {Truth(variable, condition)}";
    }

    private string Else(List<GoToken> tokens)
    {
        var block = scope.Current;
        if (block.Kind == GoBlockKind.Template)
        {
            throw new UnconvertibleConstructException("{{else}} without {{if}}, {{range}} or {{with}}");
        }

        block.EnterElse();
        if (tokens.Count == 0)
        {
            return "else";
        }

        if (tokens[0].Is(GoTokenKind.Identifier, "if") && block.Kind == GoBlockKind.If)
        {
            var (variables, _, start) = Declaration(tokens[1..], allowTwo: false);
            return variables.Count == 0
                ? $"else if {Pipeline(tokens[(1 + start)..], block.Dot).AsCondition.Text}"
                : throw new UnconvertibleConstructException("a variable declared in {{else if}} cannot be converted; declare it before the {{if}}");
        }

        throw new UnconvertibleConstructException(
            $"{{{{else {tokens[0].Value}}}}} inside {{{{{block.Keyword}}}}} cannot be converted; nest a new block in a plain {{{{else}}}}");
    }

    private string End(List<GoToken> tokens)
    {
        scope.Close();
        return tokens.Count == 0 ? "end" : throw new UnconvertibleConstructException("unexpected text after end");
    }

    /// <summary>
    /// <c>{{range p}}</c> iterates with dot as the element; <c>{{range $x := p}}</c> and <c>{{range $i, $x := p}}</c>
    /// name it (and the index). Go's <c>{{else}}</c> (nothing to iterate) is Scriban's for … else.
    /// </summary>
    private string Range(List<GoToken> tokens, GoTemplatePart action)
    {
        var (variables, declares, start) = Declaration(tokens, allowTwo: true);
        if (variables.Count > 0 && !declares)
        {
            throw new UnconvertibleConstructException("range assigning to existing variables cannot be converted; declare them with :=");
        }

        var outerDot = scope.Dot;
        var source = Pipeline(tokens[start..], outerDot);
        var item = scope.NameForDot("item");
        var pair = scope.NameForDot("pair");
        scope.Open(GoBlockKind.Range, null, action.Line, action.Column);
        var names = variables.Select(scope.Declare).ToList();
        var element = names.Count > 0 ? names[^1] : item;
        scope.Current.SetDot(element, source.IsStringList, source.IsEntryList);

        // A list is iterated as it is; anything else (a map, a variable) as Go would: a map's values by sorted key
        if (names.Count < 2)
        {
            return $"for {element} in {(source.IsList ? source.AsLoopSource : $"(goRange {source.AsOperand})")}";
        }

        if (source.IsList)
        {
            return $"for {element} in {source.AsLoopSource}; {names[0]} = for.index";
        }

        return $"for {pair} in (goPairs {source.AsOperand}); {names[0]} = {pair}.key; {element} = {pair}.value";
    }

    /// <summary><c>{{with p}}</c>: the block runs with dot set to p's value when that is true in Go's sense.</summary>
    private string With(List<GoToken> tokens, GoTemplatePart action)
    {
        var (variables, declares, start) = Declaration(tokens, allowTwo: false);
        var subject = Pipeline(tokens[start..], scope.Dot);
        var dotName = scope.NameForDot("value");
        scope.Open(GoBlockKind.With, null, action.Line, action.Column);
        var value = variables.Count > 0 ? Bind(variables[0], declares) : dotName;
        scope.Current.SetDot(value, subject.IsString);
        return $"{value} = {subject.AsValue}; if {Truth(value, subject)}";
    }

    private string LoopControl(string keyword, List<GoToken> tokens)
    {
        if (!scope.IsInsideRange)
        {
            throw new UnconvertibleConstructException($"{{{{{keyword}}}}} outside {{{{range}}}}");
        }

        return tokens.Count == 0 ? keyword : throw new UnconvertibleConstructException($"unexpected text after {keyword}");
    }

    /// <summary>Prints a pipeline, or (<c>{{$x := p}}</c>, <c>{{$x = p}}</c>) sets a variable and prints nothing, as in Go.</summary>
    private string Statement(IReadOnlyList<GoToken> tokens)
    {
        var (variables, declares, start) = Declaration(tokens, allowTwo: false);
        var value = Pipeline([.. tokens.Skip(start)], scope.Dot);
        if (variables.Count == 0)
        {
            // Scriban prints a string as Go does; anything else goes through Go's printing
            return value.IsString ? value.Text : $"goPrint {value.AsOperand}";
        }

        return $"{Bind(variables[0], declares)} = {value.AsValue}";
    }

    /// <summary>The Scriban name a declaration (<c>:=</c>) or assignment (<c>=</c>) writes to.</summary>
    private string Bind(string variable, bool declares) => declares ? scope.Declare(variable) : scope.Resolve(variable);

    private ScribanExpression Pipeline(IReadOnlyList<GoToken> tokens, string? dot) =>
        new GoPipelineConverter(tokens, dot, scope).Convert();

    private static string Truth(string variable, ScribanExpression value) =>
        value.IsBoolean ? variable : $"isTrue {variable}";

    /// <summary>The variables a pipeline starts by declaring (<c>$x :=</c>, <c>$i, $x :=</c>) or assigning (<c>$x =</c>).</summary>
    private static (List<string> Variables, bool Declares, int PipelineStart) Declaration(IReadOnlyList<GoToken> tokens, bool allowTwo)
    {
        if (tokens.Count >= 2 && tokens[0].Kind == GoTokenKind.Variable && tokens[1].Kind is GoTokenKind.Declare or GoTokenKind.Assign)
        {
            return ([tokens[0].Value], tokens[1].Kind == GoTokenKind.Declare, 2);
        }

        if (allowTwo && tokens.Count >= 4 && tokens[0].Kind == GoTokenKind.Variable && tokens[1].Kind == GoTokenKind.Comma
            && tokens[2].Kind == GoTokenKind.Variable && tokens[3].Kind is GoTokenKind.Declare or GoTokenKind.Assign)
        {
            return ([tokens[0].Value, tokens[2].Value], tokens[3].Kind == GoTokenKind.Declare, 4);
        }

        return ([], false, 0);
    }
}

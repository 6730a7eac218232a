using System.Text.RegularExpressions;

namespace Reconciler.Actors.Output;

/// <summary>The <c>check-cmd</c> template: <c>{{src}}</c> (or confd's <c>{{.src}}</c>) stands for the staged file.</summary>
public static partial class CheckCommand
{
    /// <summary>
    /// Replaces every <c>{{src}}</c>, <c>{{.src}}</c>, <c>{{ src }}</c> or <c>{{ .src }}</c> in
    /// <paramref name="commandTemplate"/> with <paramref name="stagedPath"/>, single-quoted for <c>sh</c>.
    /// </summary>
    public static string WithSource(string commandTemplate, string stagedPath)
    {
        var quoted = QuoteForShell(stagedPath);
        return SourcePlaceholder().Replace(commandTemplate, _ => quoted); // an evaluator, so '$' in the path is literal
    }

    /// <summary>Single quotes make every character literal to sh; an embedded ' closes, escapes and reopens.</summary>
    private static string QuoteForShell(string text) => $"'{text.Replace("'", @"'\''", StringComparison.Ordinal)}'";

    // quotes the operator already put around the placeholder are replaced too, or the path would carry them
    [GeneratedRegex(@"([""']?)\{\{\s*\.?src\s*\}\}\1", RegexOptions.CultureInvariant)]
    private static partial Regex SourcePlaceholder();
}

using System.Collections.Immutable;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Confd;

/// <summary>
/// A Go template converted to Scriban, line for line. Where a construct could not be converted, <see cref="Scriban"/>
/// keeps the Go action as written and <see cref="Problems"/> says where and why.
/// </summary>
public sealed record GoTemplateConversion(string Scriban, ImmutableArray<ConversionProblem> Problems)
{
    public bool IsComplete => Problems.IsEmpty;

    /// <summary>The Scriban text; a template that did not fully convert is a load error naming its first problem.</summary>
    /// <exception cref="TemplateException">Something could not be converted.</exception>
    public string ScribanOrThrow(string filePath)
    {
        if (IsComplete)
        {
            return Scriban;
        }

        var more = Problems.Length > 1 ? $" (and {Problems.Length - 1} more: reconciler convert-template {filePath} lists them)" : string.Empty;
        throw new TemplateException($"{Problems[0].In(filePath)}{more}");
    }
}

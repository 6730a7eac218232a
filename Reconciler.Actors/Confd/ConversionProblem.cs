namespace Reconciler.Actors.Confd;

/// <summary>A Go template construct that could not be converted, at its 1-based line and column.</summary>
public sealed record ConversionProblem(int Line, int Column, string Message)
{
    /// <summary><c>file(line,col): message</c>, the form Reconciler's template errors take.</summary>
    public string In(string filePath) => $"{filePath}({Line},{Column}): {Message}";
}

namespace Reconciler.Actors.Runtime;

/// <summary>An admin socket answer for a one-line reason: printable, never more than HAProxy said (it names files, never their content).</summary>
internal static class HaproxyAnswer
{
    /// <summary>The answer's first line, or "nothing".</summary>
    public static string FirstLine(string answer) =>
        answer.Trim().Split('\n', 2)[0] is { Length: > 0 } line ? HaproxyCliWord.Printable(line.Trim()) : "nothing";

    /// <summary>The first line, and how many more it had.</summary>
    public static string Summary(string answer)
    {
        var more = answer.Trim().Split('\n').Skip(1).Count(line => line.Trim().Length > 0);
        return more == 0 ? FirstLine(answer) : $"{FirstLine(answer)} (and {more} more line{(more == 1 ? string.Empty : "s")})";
    }

    /// <summary>Every line, joined by " / ", or "nothing".</summary>
    public static string Whole(string answer) =>
        answer.Trim() is { Length: > 0 } trimmed ? HaproxyCliWord.Printable(string.Join(" / ", trimmed.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))) : "nothing";
}

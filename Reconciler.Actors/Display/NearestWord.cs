namespace Reconciler.Actors.Display;

/// <summary>
/// The did-you-mean of a mistyped name: the known word fewest edits away, when it is within a third of the word's
/// length (at least one edit); further off, a suggestion would mislead more than help.
/// </summary>
public static class NearestWord
{
    public static string? Of(string word, IEnumerable<string> known)
    {
        var tolerance = Math.Max(1, word.Length / 3);
        return known
            .Select(name => (Name: name, Distance: EditDistance(word, name)))
            .Where(c => c.Distance <= tolerance)
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Edits (insert, delete, replace, swap of neighbours) that turn <paramref name="a"/> into <paramref name="b"/>.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

namespace Reconciler.Actors.Templates;

/// <summary>
/// confd's own <c>ls</c> and <c>lsdir</c> (its memkv store), for converted confd templates: they compare the path
/// segments of a key's folder with the asked path's, so <c>ls "/"</c> lists only the keys directly under the root
/// and <c>lsdir "/"</c> nothing. Reconciler's own <see cref="List"/> and <see cref="ListDirectories"/> list every child.
/// </summary>
internal sealed partial class TemplateFunctions
{
    /// <summary>memkv's List: the asked key's own name, and the first segment below the path of each key in it.</summary>
    private string[] ConfdList(string path)
    {
        var prefix = PathTerms(path);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in ConfdKeysStartingWith(CleanPath(path)))
        {
            if (key == path)
            {
                names.Add(PathBase(key));
            }
            else if (StartsWithTerms(PathTerms(PathDir(key)), prefix))
            {
                // strings.TrimPrefix twice: the path, then one slash
                var below = key.StartsWith(path, StringComparison.Ordinal) ? key[path.Length..] : key;
                names.Add((below.StartsWith('/') ? below[1..] : below).Split('/')[0]);
            }
        }

        return [.. names];
    }

    /// <summary>memkv's ListDir: for each key starting with the path, the first folder segment below the path.</summary>
    private string[] ConfdListDirectories(string path)
    {
        var prefix = PathTerms(path);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in ConfdKeysStartingWith(path))
        {
            var folder = PathTerms(PathDir(key));
            if (StartsWithTerms(folder, prefix) && folder.Length > prefix.Length)
            {
                names.Add(folder[prefix.Length]);
            }
        }

        return [.. names];
    }

    /// <summary>
    /// The keys as the template sees them (under the prefix, without it) whose text starts with <paramref name="start"/>.
    /// confd's keys all start with '/', so a relative path matches none.
    /// </summary>
    private IEnumerable<string> ConfdKeysStartingWith(string start) =>
        start.StartsWith('/')
            ? Admitted(state.StartingWith(keyPrefix + start)).Select(entry => Unprefixed(entry.Key))
            : [];

    private static string[] PathTerms(string path) => CleanPath(path).Split('/');

    private static bool StartsWithTerms(string[] terms, string[] prefix) =>
        terms.Length >= prefix.Length && terms.AsSpan(0, prefix.Length).SequenceEqual(prefix);
}

using System.Collections.Immutable;
using Tomlyn.Model;

namespace Reconciler.Actors.Configuration.Confd;

/// <summary>
/// One table of a <see cref="TomlFile"/>, read one typed setting at a time. Names match without regard to case,
/// as confd's TOML decoder matches them; every error names file, setting and line.
/// </summary>
internal sealed class TomlSection(TomlFile file, TomlTable table, string? setting)
{
    public bool Has(string key) => Find(key) is not null;

    /// <summary>The string, or "" when the setting is absent.</summary>
    public string Text(string key) => Value(key) switch
    {
        null => string.Empty,
        string text => text,
        _ => throw Error(key, "must be a string in double quotes"),
    };

    /// <summary>The list of strings, or empty when the setting is absent.</summary>
    public ImmutableArray<string> TextList(string key) => Value(key) switch
    {
        null => [],
        TomlArray items when items.All(item => item is string) => [.. items.Cast<string>()],
        _ => throw Error(key, "must be a list of strings [\"...\", \"...\"]"),
    };

    public long? Integer(string key) => Value(key) switch
    {
        null => null,
        long number => number,
        _ => throw Error(key, "must be a whole number"),
    };

    public bool Boolean(string key) => Value(key) switch
    {
        null => false,
        bool flag => flag,
        _ => throw Error(key, "must be true or false"),
    };

    public TomlSection? Table(string key) => Value(key) switch
    {
        null => null,
        TomlTable inner => new TomlSection(file, inner, Name(key)),
        _ => throw Error(key, $"must be a table [{Name(key)}]"),
    };

    /// <summary>
    /// A warning for each setting not in <paramref name="known"/>: confd's TOML decoder drops what its settings do not
    /// name (<c>owner = "nginx"</c>, a misspelt <c>reload-cmd</c>), so confd runs such a file and so does Reconciler.
    /// </summary>
    public IEnumerable<string> Unknown(IReadOnlyCollection<string> known) =>
        table.Keys
            .Where(key => !known.Contains(key, StringComparer.OrdinalIgnoreCase))
            .Select(key => Warning(key, KnownSettings.Nearest(key, known) is { } nearest
                ? $"confd ignores this setting, and so does Reconciler; did you mean {Name(nearest)}?"
                : $"confd ignores this setting, and so does Reconciler (confd's settings here: {string.Join(", ", known)})"));

    public ConfigurationException Error(string key, string problem) => ConfigurationException.For(file.Path, Where(key), problem);

    /// <summary>One line as <see cref="Error"/> words it, for a problem that does not stop the file from loading.</summary>
    public string Warning(string key, string problem) => $"{file.Path}: {Where(key)}: {problem}";

    /// <summary>The setting as written, with its line: <c>template.mode (line 5)</c>.</summary>
    private string Where(string key)
    {
        var written = Find(key) ?? key;
        var line = file.LineOf(table, written) is { } number ? $" (line {number})" : string.Empty;
        return Name(written) + line;
    }

    private object? Value(string key) => Find(key) is { } written ? table[written] : null;

    private string? Find(string key) => table.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));

    private string Name(string key) => setting is null ? key : $"{setting}.{key}";
}

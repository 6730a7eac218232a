using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Configuration.Hocon;

using Reconciler.Actors.Display;

namespace Reconciler.Actors.Configuration;

/// <summary>
/// Every setting a user's file may hold, taken from reference.conf itself so that a setting added
/// there is known here at once. An empty object in reference.conf (<c>vars {}</c>) is a free-form
/// map that takes any key. reference.conf describes a template entry and the optional per-template
/// <c>debounce</c> block only in comments; those few are added here.
/// </summary>
internal static class KnownSettings
{
    /// <summary>confd's names for settings that have another name here (snake_case is matched by itself).</summary>
    private static readonly ImmutableDictionary<string, string> ConfdNames = new Dictionary<string, string>
    {
        ["uid"] = "owner",
        ["gid"] = "group",
    }.ToImmutableDictionary();

    private static readonly SettingShape Root = Build(SettingsLoader.Reference);

    /// <summary>Throws for the first setting in <paramref name="user"/> that reference.conf does not know.</summary>
    /// <exception cref="ConfigurationException">An unknown setting, with the nearest known name when one is close.</exception>
    public static void Check(Config user, string file)
    {
        if (!user.IsEmpty && FindProblem(user.Root.GetObject(), Root, string.Empty) is { } found)
        {
            throw ConfigurationException.For(file, found.Setting, found.Problem);
        }
    }

    private static (string Setting, string Problem)? FindProblem(HoconObject user, SettingShape shape, string path)
    {
        foreach (var (key, value) in user.Items)
        {
            var setting = path.Length == 0 ? key : $"{path}.{key}";
            if (!shape.Children.TryGetValue(key, out var known))
            {
                return (setting, Unknown(path, key, shape.Children.Keys));
            }

            (string Setting, string Problem)? problem = known switch
            {
                { IsFreeForm: true } => null,
                { IsSection: true } when value.IsObject() => FindProblem(value.GetObject(), known, setting),
                { IsSection: true } => (setting, "must be a section { ... }"),
                { Element: { } element } when value.IsArray() => value.GetArray()
                    .Select((entry, index) => entry.IsObject() ? FindProblem(entry.GetObject(), element, EntryName(setting, index, entry.GetObject())) : null)
                    .FirstOrDefault(p => p is not null),
                _ => null,
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>"reconciler.templates[0] (web)", as the settings reader names an entry.</summary>
    private static string EntryName(string list, int index, HoconObject entry) =>
        entry.Items.TryGetValue("name", out var name) && name.IsString()
            ? $"{list}[{index}] ({name.GetString()})"
            : $"{list}[{index}]";

    private static string Unknown(string path, string key, IEnumerable<string> known)
    {
        var names = known.Order(StringComparer.Ordinal).ToList();
        return Nearest(key, names) is { } nearest
            ? $"unknown setting; did you mean {(path.Length == 0 ? nearest : $"{path}.{nearest}")}?"
            : $"unknown setting (known here: {string.Join(", ", names)})";
    }

    /// <summary>The known name <paramref name="key"/> most likely stands for: confd's spelling, a different case, or a typo.</summary>
    internal static string? Nearest(string key, IReadOnlyCollection<string> known)
    {
        var normalized = key.ToLowerInvariant().Replace('_', '-');
        if (ConfdNames.TryGetValue(normalized, out var renamed) && known.Contains(renamed))
        {
            return renamed;
        }

        if (known.Contains(normalized))
        {
            return normalized;
        }

        return NearestWord.Of(normalized, known);
    }

    private static SettingShape Build(Config reference)
    {
        var root = SettingShape.From(reference.Root.GetObject());
        var reconciler = root.Children["reconciler"];
        var templateDefaults = reconciler.Children["template-defaults"].With("debounce", reconciler.Children["debounce"]);
        var templateEntry = templateDefaults
            .With("name", SettingShape.Leaf)
            .With("src", SettingShape.Leaf)
            .With("dest", SettingShape.Leaf)
            .With("keys", SettingShape.Leaf);
        return root.With(
            "reconciler",
            reconciler
                .With("template-defaults", templateDefaults)
                .With("templates", SettingShape.Leaf with { Element = templateEntry }));
    }

    /// <summary>A setting: a value (no children), a section of settings, a free-form map, or a list of entries shaped like <see cref="Element"/>.</summary>
    private sealed record SettingShape(ImmutableDictionary<string, SettingShape> Children, bool IsFreeForm, SettingShape? Element)
    {
        public static readonly SettingShape Leaf = new(ImmutableDictionary<string, SettingShape>.Empty, false, null);

        public bool IsSection => Children.Count > 0;

        public static SettingShape From(HoconObject section) =>
            section.Items.Count == 0
                ? Leaf with { IsFreeForm = true }
                : Leaf with
                {
                    Children = section.Items.ToImmutableDictionary(
                        kv => kv.Key,
                        kv => kv.Value.IsObject() ? From(kv.Value.GetObject()) : Leaf),
                };

        public SettingShape With(string name, SettingShape child) => this with { Children = Children.SetItem(name, child) };
    }
}

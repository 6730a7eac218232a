using System.Collections.Immutable;
using System.Globalization;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Configuration.Confd;

/// <summary>
/// One confd template resource (<c>conf.d/NAME.toml</c>, a <c>[template]</c> table) as a <see cref="TemplateDefinition"/>
/// with confd's meaning: src is under the templates folder and a Go template, keys and the template's own key
/// reads are under the prefix, an unset mode keeps dest's mode (0644 for a new file), uid/gid set the owner.
/// A setting confd's decoder does not know (<c>owner</c>, say) is a warning, as confd runs the file without it.
/// </summary>
internal static class ConfdResourceFile
{
    private static readonly string[] Settings = ["src", "dest", "keys", "prefix", "uid", "gid", "mode", "check_cmd", "reload_cmd"];

    private static readonly UnixFileMode NewFileMode = FileModeSpec.Parse("0644");

    /// <param name="path">The resource file.</param>
    /// <param name="name">The template's name in logs: the file's path under conf.d without <c>.toml</c>.</param>
    /// <param name="templatesFolder">confd's <c>templates</c> folder, which src is relative to.</param>
    /// <param name="globalPrefix">confd.toml's prefix; when set it replaces the resource's own, as in confd.</param>
    /// <param name="debounce">The global debounce (confd resources have no setting for it).</param>
    /// <param name="warnings">Where to add a line for each setting confd ignores.</param>
    /// <exception cref="ConfigurationException">A setting is missing, malformed or points at nothing.</exception>
    public static TemplateDefinition Read(string path, string name, string templatesFolder, string globalPrefix, DebounceSettings debounce, ICollection<string> warnings)
    {
        var file = TomlFile.Read(path);
        foreach (var warning in file.Root.Unknown(["template"]))
        {
            warnings.Add(warning);
        }

        var template = file.Root.Table("template")
            ?? throw ConfigurationException.For(path, "template", "missing: a confd template resource is a [template] table");
        foreach (var warning in template.Unknown(Settings))
        {
            warnings.Add(warning);
        }

        var src = Path.GetFullPath(Path.Join(templatesFolder, Required(template, "src")));
        if (!File.Exists(src))
        {
            throw template.Error("src", $"template {src} does not exist");
        }

        var dest = Path.GetFullPath(Required(template, "dest"), Path.GetDirectoryName(path)!);
        if (!Directory.Exists(Path.GetDirectoryName(dest)))
        {
            throw template.Error("dest", $"folder {Path.GetDirectoryName(dest)} does not exist");
        }

        // confd accepts a resource without keys: its template reads nothing from etcd
        var keys = template.TextList("keys");
        var prefix = ConfdKeys.NormalisePrefix(globalPrefix.Length > 0 ? globalPrefix : template.Text("prefix"));
        return new TemplateDefinition(
            name,
            src,
            dest,
            [.. keys.Select(key => new KeyPrefix(ConfdKeys.Join(prefix, key)))],
            Mode(template, dest),
            Id(template, "uid"),
            Id(template, "gid"),
            template.Text("check_cmd"),
            template.Text("reload_cmd"),
            debounce,
            ImmutableDictionary<string, string>.Empty,
            RollbackOnReloadFailure: false,
            ShrinkGuard.Off)
        {
            Syntax = TemplateSyntax.GoTemplate,
            KeyPrefix = prefix,
        };
    }

    private static string Required(TomlSection template, string key)
    {
        var value = template.Text(key);
        return value.Length > 0 ? value : throw template.Error(key, "is required");
    }

    private static UnixFileMode Mode(TomlSection template, string dest)
    {
        var mode = template.Text("mode");
        if (mode.Length == 0)
        {
            return !OperatingSystem.IsWindows() && File.Exists(dest) ? File.GetUnixFileMode(dest) : NewFileMode;
        }

        return FileModeSpec.TryParse(mode, out var parsed)
            ? parsed
            : throw template.Error("mode", $"\"{mode}\" is not an octal file mode like \"0644\"");
    }

    /// <summary>A numeric owner or group; unset leaves the file as the daemon creates it, which is confd's default too.</summary>
    private static string Id(TomlSection template, string key) => template.Integer(key) switch
    {
        null => string.Empty,
        >= 0 and <= uint.MaxValue and var id => id.ToString(CultureInfo.InvariantCulture),
        var id => throw template.Error(key, $"{id} is not a user or group id"),
    };
}

using System.Collections.Immutable;
using Reconciler.Actors.State;
using Config = Akka.Configuration.Config;

namespace Reconciler.Actors.Configuration.Confd;

/// <summary>
/// A confd folder such as <c>/etc/confd</c>: template resources in <c>conf.d/**/*.toml</c>, their Go templates in
/// <c>templates/</c>, and confd's own settings in <c>confd.toml</c>.
/// </summary>
internal sealed class ConfdDirectory
{
    private readonly ConfdConfigFile config;
    private readonly List<string> resourceWarnings = [];

    private ConfdDirectory(string path, ConfdConfigFile config)
    {
        Path = path;
        this.config = config;
    }

    public string Path { get; }

    /// <summary>The <c>reconciler.backend</c> settings confd.toml gives, to sit between the user's file and reference.conf.</summary>
    public Config BackendSettings => config.Backend;

    /// <summary>A line for each setting confd ignores, in confd.toml and in the resources read so far.</summary>
    public IReadOnlyList<string> Warnings => [.. config.Warnings, .. resourceWarnings];

    /// <summary>Opens the folder and reads confd.toml.</summary>
    /// <exception cref="ConfigurationException">No conf.d folder, or a bad confd.toml.</exception>
    public static ConfdDirectory Open(string path)
    {
        if (!Directory.Exists(System.IO.Path.Combine(path, "conf.d")))
        {
            throw new ConfigurationException($"{path}: not a confd folder: it has no conf.d folder of template resources");
        }

        return new ConfdDirectory(path, ConfdConfigFile.Read(path));
    }

    /// <summary>Every template resource, in file name order as confd processes them.</summary>
    /// <exception cref="ConfigurationException">A resource file is malformed.</exception>
    public ImmutableArray<TemplateDefinition> ReadTemplateResources(DebounceSettings debounce)
    {
        var resources = System.IO.Path.Combine(Path, "conf.d");
        var templates = System.IO.Path.Combine(Path, "templates");
        return [.. Directory.EnumerateFiles(resources, "*.toml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(file => ConfdResourceFile.Read(
                file,
                System.IO.Path.ChangeExtension(System.IO.Path.GetRelativePath(resources, file), null),
                templates,
                config.Prefix,
                debounce,
                resourceWarnings))];
    }
}

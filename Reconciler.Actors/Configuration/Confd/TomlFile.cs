using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Serialization;
using Tomlyn.Syntax;

namespace Reconciler.Actors.Configuration.Confd;

/// <summary>A TOML file read for its settings, remembering where each one was written so errors can name the line.</summary>
internal sealed class TomlFile
{
    private readonly TomlMetadataStore metadata;

    private TomlFile(string path, TomlTable root, TomlMetadataStore metadata)
    {
        Path = path;
        this.metadata = metadata;
        Root = new TomlSection(this, root, setting: null);
    }

    public string Path { get; }

    public TomlSection Root { get; }

    /// <exception cref="ConfigurationException">The file cannot be read or is not valid TOML.</exception>
    public static TomlFile Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: cannot read: {e.Message}");
        }

        try
        {
            // The strict syntax parse rejects what the model reader lets through (a key or table defined twice).
            SyntaxParser.ParseStrict(text, path);
            var metadata = new TomlMetadataStore();
            var root = TomlSerializer.Deserialize<TomlTable>(text, new TomlModel(new TomlSerializerOptions { SourceName = path, MetadataStore = metadata }));
            return new TomlFile(path, root ?? new TomlTable(), metadata);
        }
        catch (TomlException e)
        {
            // Tomlyn lists follow-on errors before their cause; the earliest in the file is the one to fix.
            var first = e.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).MinBy(d => d.Span.Start.Offset);
            var (where, message) = first is not null
                ? ($"line {first.Span.Start.Line + 1}, column {first.Span.Start.Column + 1}: ", first.Message)
                : (e.Line is { } line ? $"line {line}, column {e.Column}: " : string.Empty, e.Message);
            throw new ConfigurationException($"{path}: malformed TOML: {where}{message.ReplaceLineEndings(" ").Trim()}");
        }
    }

    /// <summary>The 1-based line <paramref name="key"/> of <paramref name="table"/> is written on, if Tomlyn recorded it.</summary>
    public int? LineOf(TomlTable table, string key) =>
        metadata.TryGetProperties(table, out var properties) && properties is not null && properties.TryGetProperty(key, out var property) && property is not null
            ? property.Span.Start.Line + 1
            : null;
}

/// <summary>TOML read into Tomlyn's document model, generated at build time: no reflection for a trimmed build to lose.</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class TomlModel : TomlSerializerContext
{
    /// <summary>With options of the caller's (the file's name for errors, the store of where each setting was written).</summary>
    public TomlModel(TomlSerializerOptions options)
        : base(options)
    {
    }
}

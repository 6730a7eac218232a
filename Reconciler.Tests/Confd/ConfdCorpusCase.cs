namespace Reconciler.Tests.Confd;

/// <summary>
/// One case of the differential corpus, a folder under <c>Confd/Corpus</c>: <c>template.tmpl</c> (the Go template),
/// <c>keys.txt</c> (one <c>KEY VALUE</c> a line, split at the first space), <c>resource.toml</c> (the lines of its
/// confd <c>[template]</c> table other than src and dest; keys and prefix are relative to the case), when the
/// converter must refuse it, <c>refused.txt</c> with the words its reason contains; when the render must fail
/// where confd renders (an output Reconciler cannot reproduce), <c>render-refused.txt</c> with the words of the
/// error; and when confd itself fails the template (so Reconciler must fail it too), <c>confd-fails.txt</c>.
/// </summary>
public sealed record ConfdCorpusCase(
    string Name,
    string Template,
    IReadOnlyList<KeyValuePair<string, string>> Keys,
    string Resource,
    string? ExpectedRefusal,
    string? ExpectedRenderRefusal,
    bool ConfdFails)
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Confd", "Corpus");

    /// <summary>Where the case's keys live in the shared etcd, so cases never see each other's keys.</summary>
    public string KeyRoot => "/corpus/" + Name;

    public static IReadOnlyList<ConfdCorpusCase> All() =>
        [.. Directory.EnumerateDirectories(Folder)
            .Where(folder => File.Exists(Path.Combine(folder, "template.tmpl"))) // a case renamed away leaves an empty folder in bin
            .Order(StringComparer.Ordinal)
            .Select(Read)];

    private static ConfdCorpusCase Read(string folder)
    {
        var refusal = Path.Combine(folder, "refused.txt");
        var renderRefusal = Path.Combine(folder, "render-refused.txt");
        var keys = Path.Combine(folder, "keys.txt");
        return new ConfdCorpusCase(
            Path.GetFileName(folder),
            File.ReadAllText(Path.Combine(folder, "template.tmpl")),
            File.Exists(keys) ? [.. File.ReadAllLines(keys).Where(line => line.Length > 0).Select(ParseKey)] : [],
            File.ReadAllText(Path.Combine(folder, "resource.toml")),
            File.Exists(refusal) ? File.ReadAllText(refusal).Trim() : null,
            File.Exists(renderRefusal) ? File.ReadAllText(renderRefusal).Trim() : null,
            File.Exists(Path.Combine(folder, "confd-fails.txt")));
    }

    private static KeyValuePair<string, string> ParseKey(string line)
    {
        var space = line.IndexOf(' ');
        return space < 0 ? KeyValuePair.Create(line, string.Empty) : KeyValuePair.Create(line[..space], line[(space + 1)..]);
    }
}

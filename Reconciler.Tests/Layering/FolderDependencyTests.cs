using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Layering;

/// <summary>
/// The folders of Reconciler.Actors (one namespace each, sub-namespaces counted with their folder) import each
/// other one way. Read from the sources: a <c>using</c> or a qualified name is an import.
/// </summary>
public partial class FolderDependencyTests
{
    [Fact]
    public void No_two_folders_import_each_other_even_through_others()
    {
        var imports = FolderImports();

        var cycle = FindCycle(imports);

        Assert.True(cycle is null, $"folders import each other: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void The_confd_converter_targets_the_template_library_not_the_reverse()
    {
        var imports = FolderImports();

        Assert.Contains("Templates", imports["Confd"]);
        Assert.DoesNotContain("Confd", imports["Templates"]);
    }

    private static Dictionary<string, HashSet<string>> FolderImports()
    {
        var sources = Path.Combine(DebianPackage.RepositoryRoot, "Reconciler.Actors");
        var imports = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories).Where(IsSource))
        {
            var text = File.ReadAllText(file);
            if (NamespaceDeclaration().Match(text) is not { Success: true } declaration)
            {
                continue;
            }

            var folder = declaration.Groups["folder"].Value;
            var folderImports = imports.TryGetValue(folder, out var known) ? known : imports[folder] = [];
            folderImports.UnionWith(QualifiedName().Matches(text).Select(name => name.Groups["folder"].Value).Where(name => name != folder));
        }

        return imports;
    }

    /// <summary>Not the build's generated files under obj/ and bin/.</summary>
    private static bool IsSource(string file) =>
        !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    /// <summary>A path of imports that comes back to where it started; null when there is none.</summary>
    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> imports)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        List<string>? Visit(string folder)
        {
            if (path.IndexOf(folder) is var start and >= 0)
            {
                return [.. path[start..], folder];
            }

            if (!visited.Add(folder))
            {
                return null;
            }

            path.Add(folder);
            foreach (var imported in imports.GetValueOrDefault(folder) ?? [])
            {
                if (Visit(imported) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return imports.Keys.Select(Visit).FirstOrDefault(cycle => cycle is not null);
    }

    [GeneratedRegex(@"^namespace Reconciler\.Actors\.(?<folder>\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\bReconciler\.Actors\.(?<folder>\w+)")]
    private static partial Regex QualifiedName();
}

using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Layering;

/// <summary>
/// The folders of each project (one namespace each, sub-namespaces counted with their folder) import each
/// other one way. Read from the sources: a <c>using</c> or a qualified name is an import.
/// </summary>
public partial class FolderDependencyTests
{
    [Theory]
    [InlineData("Actors")]
    [InlineData("Host")]
    public void No_two_folders_import_each_other_even_through_others(string project)
    {
        var imports = FolderImports(project);

        var cycle = FindCycle(imports);

        Assert.True(cycle is null, $"folders import each other: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void The_confd_converter_targets_the_template_library_not_the_reverse()
    {
        var imports = FolderImports("Actors");

        Assert.Contains("Templates", imports["Confd"]);
        Assert.DoesNotContain("Confd", imports["Templates"]);
    }

    [Fact]
    public void The_command_line_sits_on_top_of_the_runners_and_nothing_imports_it()
    {
        var imports = FolderImports("Host");

        Assert.Contains("Daemon", imports["CommandLine"]);
        Assert.Empty(imports.Where(folder => folder.Value.Contains("CommandLine")).Select(folder => folder.Key));
    }

    /// <summary>What each folder of <c>Reconciler.{project}</c> imports from the project's other folders.</summary>
    private static Dictionary<string, HashSet<string>> FolderImports(string project)
    {
        var sources = Path.Combine(DebianPackage.RepositoryRoot, $"Reconciler.{project}");
        var imports = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories).Where(IsSource))
        {
            var text = File.ReadAllText(file);
            // Program.cs declares no namespace: the entry point, which nothing can import
            if (NamespaceDeclaration().Match(text) is not { Success: true } declaration || declaration.Groups["project"].Value != project)
            {
                continue;
            }

            var folder = declaration.Groups["folder"].Value;
            var folderImports = imports.TryGetValue(folder, out var known) ? known : imports[folder] = [];
            folderImports.UnionWith(QualifiedName().Matches(text)
                .Where(name => name.Groups["project"].Value == project)
                .Select(name => name.Groups["folder"].Value)
                .Where(name => name != folder));
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

    [GeneratedRegex(@"^namespace Reconciler\.(?<project>\w+)\.(?<folder>\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\bReconciler\.(?<project>\w+)\.(?<folder>\w+)")]
    private static partial Regex QualifiedName();
}

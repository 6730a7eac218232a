using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration.Hocon;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Host.CommandLine;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Docs;

/// <summary>
/// README.md and docs/ against the code, so a page that drifts from it fails: every HOCON block passes the settings
/// validation, every template example renders what the page shows, every command-line example parses, every
/// relative link resolves, and the configuration, command-line and template pages cover what exists. The
/// conventions the pages follow for it are in docs/dev/testing.md.
/// </summary>
public sealed partial class DocsExamplesTests : IDisposable
{
    /// <summary>What a fragment is validated in: one template, which a block's own <c>templates</c> replaces.</summary>
    private const string MinimalConfiguration =
        "reconciler.templates = [ { name = docs-minimal, src = \"docs-minimal.sbn\", dest = \"out/docs-minimal\", keys = [\"/docs\"] } ]\n";

    private static readonly IReadOnlyList<MarkdownDocument> Documents = MarkdownDocument.All(DebianPackage.RepositoryRoot);

    private readonly string sandbox = Directory.CreateTempSubdirectory("reconciler-docs-").FullName;

    public void Dispose() => Directory.Delete(sandbox, recursive: true);

    [Fact]
    public void The_pages_are_found()
    {
        Assert.Contains(Documents, d => d.Name == "README.md");
        Assert.Contains(Documents, d => d.Name == Path.Combine("docs", "configuration.md"));
    }

    [Fact]
    public void Every_hocon_block_passes_the_settings_validation()
    {
        var failures = new List<string>();
        foreach (var (document, block) in BlocksOf("hocon"))
        {
            var invalid = block.Marker?.StartsWith("invalid", StringComparison.Ordinal) == true;
            var problem = ValidationProblem(block);
            if (invalid && problem is null)
            {
                failures.Add($"{document.Name}:{block.Line}: marked invalid, but the settings validation accepts it");
            }
            else if (!invalid && problem is not null)
            {
                failures.Add($"{document.Name}:{block.Line}: {problem}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.NotEmpty(BlocksOf("hocon"));
    }

    [Fact]
    public void Every_template_example_renders_the_output_shown_beside_it()
    {
        var failures = new List<string>();
        var rendered = 0;
        foreach (var document in Documents)
        {
            var state = DesiredState.Empty;
            var blocks = document.Blocks;
            for (var i = 0; i < blocks.Count; i++)
            {
                if (blocks[i].Language == "keys")
                {
                    state = KeysOf(blocks[i]);
                    continue;
                }

                if (blocks[i].Language != "scriban")
                {
                    continue;
                }

                var at = $"{document.Name}:{blocks[i].Line}";
                try
                {
                    var template = CompiledTemplate.Parse(blocks[i].Text, at);
                    if (blocks[i].Marker?.StartsWith("parse only", StringComparison.Ordinal) == true)
                    {
                        continue;
                    }

                    var output = template.Render(state);
                    rendered++;
                    if (i + 1 < blocks.Count && blocks[i + 1] is { Language: "text", BesidePrevious: true } shown
                        && output.TrimEnd('\n') != shown.Text.TrimEnd('\n'))
                    {
                        failures.Add($"{at}: renders\n{Visible(output.TrimEnd('\n'))}\nwhere the page shows\n{Visible(shown.Text.TrimEnd('\n'))}");
                    }
                }
                catch (TemplateException e)
                {
                    failures.Add($"{at}: {e.Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(rendered > 0, "no template example rendered");
    }

    [Fact]
    public void Every_command_line_example_names_a_command_and_options_that_exist()
    {
        var failures = new List<string>();
        var examples = 0;
        foreach (var (document, block) in BlocksOf("sh", "console", "bash"))
        {
            foreach (var (line, offset) in CommandLines(block.Text))
            {
                var words = ShellWords(line);
                if (words.Count == 0 || words[0] != "reconciler")
                {
                    continue;
                }

                examples++;
                var result = ReconcilerCommandLine.Build().Parse(words[1..]);
                if (result.Errors.Count > 0)
                {
                    failures.Add($"{document.Name}:{block.Line + 1 + offset}: {line.Trim()}: {result.Errors[0].Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(examples > 0, "no command-line example found");
    }

    [Fact]
    public void Every_relative_link_resolves()
    {
        var byPath = Documents.ToDictionary(d => Path.GetFullPath(d.Path), StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var document in Documents)
        {
            foreach (var link in document.Links)
            {
                var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
                var path = hash < 0 ? link.Target : link.Target[..hash];
                var anchor = hash < 0 ? null : link.Target[(hash + 1)..];
                var target = path.Length == 0 ? document.Path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document.Path)!, Uri.UnescapeDataString(path)));
                if (!File.Exists(target) && !Directory.Exists(target))
                {
                    failures.Add($"{document.Name}:{link.Line}: {link.Target}: no such file");
                }
                else if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal))
                {
                    var anchors = byPath.TryGetValue(Path.GetFullPath(target), out var page) ? page.Anchors : MarkdownDocument.Read(target, DebianPackage.RepositoryRoot).Anchors;
                    if (!anchors.Contains(anchor))
                    {
                        failures.Add($"{document.Name}:{link.Line}: {link.Target}: no heading makes #{anchor}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Nothing_points_outside_the_repository_nor_names_an_issue()
    {
        var failures = new List<string>();
        foreach (var document in Documents)
        {
            var text = File.ReadAllLines(document.Path);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i].Contains("../shared", StringComparison.Ordinal) || IssueNumber().IsMatch(text[i]))
                {
                    failures.Add($"{document.Name}:{i + 1}: {text[i].Trim()}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void The_configuration_page_lists_every_setting_of_reference_conf_and_no_other()
    {
        var reference = new SortedSet<string>(StringComparer.Ordinal);
        Leaves(SettingsLoader.Reference.Root.GetObject().Items["reconciler"].GetObject(), "", reference);
        var templateOnly = new[] { "name", "src", "dest", "keys", "debounce.quiet", "debounce.max" };

        var page = Documents.Single(d => d.Name == Path.Combine("docs", "configuration.md"));
        var documented = new SortedSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        var section = "";
        for (var i = 0; i < page.Lines.Count; i++)
        {
            if (page.Lines[i].StartsWith("## ", StringComparison.Ordinal))
            {
                section = page.Lines[i][3..].Trim();
                continue;
            }

            var row = SettingRow().Match(page.Lines[i]);
            if (!row.Success)
            {
                continue;
            }

            foreach (var name in CodeSpan().Matches(row.Groups[1].Value).Select(m => m.Groups[1].Value))
            {
                var inTemplate = section == "Template settings";
                var setting = inTemplate && !templateOnly.Contains(name) ? $"template-defaults.{name}" : name;
                if (!(inTemplate && templateOnly.Contains(name)) && !reference.Contains(setting))
                {
                    failures.Add($"docs/configuration.md:{i + 1}: {name} is no setting of reference.conf");
                }

                documented.Add(setting);
            }
        }

        failures.AddRange(reference.Except(documented).Select(missing => $"docs/configuration.md lacks {missing} (a setting of reference.conf)"));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void The_command_line_page_has_every_command_and_option_and_no_other()
    {
        var page = Documents.Single(d => d.Name == Path.Combine("docs", "command-line.md"));
        var sections = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        var current = (StringBuilder?)null;
        foreach (var line in File.ReadAllLines(page.Path))
        {
            var heading = CommandHeading().Match(line);
            if (heading.Success)
            {
                current = new StringBuilder();
                sections[heading.Groups[1].Value.Trim()] = current;
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = null;
            }

            current?.Append(line).Append('\n');
        }

        var root = ReconcilerCommandLine.Build();
        var failures = new List<string>();
        foreach (var command in new Command[] { root }.Concat(root.Subcommands))
        {
            var title = command == root ? "reconciler" : $"reconciler {command.Name}";
            if (!sections.TryGetValue(title, out var text))
            {
                failures.Add($"docs/command-line.md has no section \"## `{title}`\"");
                continue;
            }

            // the options every command takes are described once, in the daemon's section
            var common = root.Options.Where(o => o.Recursive).ToList();
            var options = command.Options.Concat(common).Distinct().ToList();
            var known = options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
            failures.AddRange(options
                .Where(o => command == root || common.All(c => c.Name != o.Name))
                .Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name is not "--help")
                .Where(o => !Regex.IsMatch(text.ToString(), $@"(?<![\w-]){Regex.Escape(o.Name)}(?![\w-])"))
                .Select(o => $"docs/command-line.md, {title}: {o.Name} is not described"));
            failures.AddRange(OptionName().Matches(text.ToString()).Select(m => m.Value).Distinct()
                .Where(name => !known.Contains(name))
                .Select(name => $"docs/command-line.md, {title}: {name} is no option of this command"));
        }

        failures.AddRange(sections.Keys
            .Where(title => title != "reconciler" && root.Subcommands.All(c => $"reconciler {c.Name}" != title))
            .Select(title => $"docs/command-line.md: {title} is no command"));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void The_man_page_names_every_command()
    {
        var manual = File.ReadAllText(Path.Combine(DebianPackage.RepositoryRoot, "packaging", "deb", "reconciler.1")).Replace(@"\-", "-", StringComparison.Ordinal);
        var missing = ReconcilerCommandLine.Build().Subcommands.Select(c => c.Name)
            .Where(name => !Regex.IsMatch(manual, $@"^\.B reconciler {Regex.Escape(name)}\b", RegexOptions.Multiline));

        Assert.Empty(missing);
    }

    [Fact]
    public void The_templates_page_documents_every_template_function()
    {
        var page = File.ReadAllText(Documents.Single(d => d.Name == Path.Combine("docs", "templates.md")).Path);
        var functions = new TemplateFunctions(DesiredState.Empty).Where(entry => entry.Value is Scriban.Runtime.IScriptCustomFunction).Select(entry => entry.Key).ToList();
        var missing = functions.Where(name => !Regex.IsMatch(page, $@"^###.*\b{Regex.Escape(name)}\b", RegexOptions.Multiline));

        Assert.NotEmpty(functions);
        Assert.Empty(missing);
    }

    private static IEnumerable<(MarkdownDocument Document, FencedBlock Block)> BlocksOf(params string[] languages) =>
        Documents.SelectMany(d => d.Blocks.Where(b => languages.Contains(b.Language)).Select(b => (d, b)));

    /// <summary>
    /// The block validated as the daemon validates a file: in /etc/reconciler/reconciler.conf of a sandbox where every
    /// relative file it names exists. A block is the whole file; one that starts with '{' is one entry of
    /// reconciler.templates; one marked "in a template" is settings of one template.
    /// </summary>
    private string? ValidationProblem(FencedBlock block)
    {
        var folder = Path.Combine(sandbox, $"block-{block.Line}-{Guid.NewGuid():N}", "etc", "reconciler");
        Directory.CreateDirectory(Path.Combine(folder, "out"));
        File.WriteAllText(Path.Combine(folder, "docs-minimal.sbn"), "");
        foreach (var setting in FileSetting().Matches(block.Text).Where(m => !Path.IsPathRooted(m.Groups[2].Value)))
        {
            var path = Path.GetFullPath(Path.Combine(folder, setting.Groups[2].Value));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (setting.Groups[1].Value != "dest")
            {
                File.WriteAllText(path, "");
            }
        }

        var text = block.Text.TrimStart() switch
        {
            var entry when entry.StartsWith('{') => $"{MinimalConfiguration}reconciler.templates = [\n{block.Text}\n]\n",
            _ when block.Marker?.StartsWith("in a template", StringComparison.Ordinal) == true =>
                $"reconciler.templates = [ {{\nname = docs-minimal, src = \"docs-minimal.sbn\", dest = \"out/docs-minimal\", keys = [\"/docs\"], reload-cmd = \"true\"\n{block.Text}\n}} ]\n",
            _ => MinimalConfiguration + block.Text,
        };
        try
        {
            SettingsLoader.Parse(text, Path.Combine(folder, "reconciler.conf"));
            return null;
        }
        catch (ConfigurationException e)
        {
            return e.Message.Replace(Path.Combine(folder, "reconciler.conf"), "the block", StringComparison.Ordinal);
        }
    }

    /// <summary>Text with its spaces and line ends shown, so a difference in whitespace can be seen.</summary>
    private static string Visible(string text) => text.Replace(" ", "\u00b7", StringComparison.Ordinal).Replace("\n", "\u21b5\n", StringComparison.Ordinal);

    /// <summary>A ```keys block: one "key: value" a line.</summary>
    private static DesiredState KeysOf(FencedBlock block) =>
        DesiredState.From(
            block.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(": ", 2))
                .Select(pair => KeyValuePair.Create(pair[0], pair[1])),
            1);

    /// <summary>The lines of a shell block with their continuations joined, each with its offset in the block.</summary>
    private static IEnumerable<(string Line, int Offset)> CommandLines(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var start = i;
            var line = lines[i];
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i];
            }

            // a here-document's lines are the file it writes, not commands
            if (HereDocument().Match(line) is { Success: true } here)
            {
                for (i++; i < lines.Length && lines[i].Trim() != here.Groups[1].Value; i++)
                {
                    // skipped
                }
            }

            yield return (line.TrimStart().StartsWith("$ ", StringComparison.Ordinal) ? line.TrimStart()[2..] : line, start);
        }
    }

    /// <summary>A command's words as sh splits them, up to a comment, a pipe, a redirection or a background '&amp;'.</summary>
    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c is '\'' or '"')
            {
                var end = line.IndexOf(c, i + 1);
                end = end < 0 ? line.Length : end;
                word.Append(line, i + 1, end - i - 1);
                inWord = true;
                i = end;
            }
            else if (char.IsWhiteSpace(c) || c is '#' or '|' or '&' or '>' or '<' or ';')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                if (c is '>' or '<' && words.Count > 0 && words[^1].All(char.IsAsciiDigit))
                {
                    words.RemoveAt(words.Count - 1); // 2>&1: the 2 names a file descriptor, not an argument
                }

                if (!char.IsWhiteSpace(c))
                {
                    return words;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static void Leaves(HoconObject section, string prefix, ISet<string> leaves)
    {
        foreach (var (name, value) in section.Items)
        {
            var path = prefix + name;
            if (value.IsObject() && value.GetObject().Items.Count > 0)
            {
                Leaves(value.GetObject(), path + ".", leaves);
            }
            else
            {
                leaves.Add(path);
            }
        }
    }

    [GeneratedRegex(@"\b(src|dest|path|ca-file|cert-file|key-file|password-file)\s*=\s*""([^""]+)""")]
    private static partial Regex FileSetting();

    [GeneratedRegex(@"^\|\s*([^|]*`[^|]*)\|")]
    private static partial Regex SettingRow();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^##\s+`([^`]+)`")]
    private static partial Regex CommandHeading();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*")]
    private static partial Regex OptionName();

    [GeneratedRegex(@"\b[Ii]ssue \d+\b")]
    private static partial Regex IssueNumber();

    [GeneratedRegex(@"<<-?\s*['""]?(\w+)['""]?")]
    private static partial Regex HereDocument();
}

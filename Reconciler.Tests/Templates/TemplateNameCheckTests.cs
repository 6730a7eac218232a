using System.Text.RegularExpressions;
using Reconciler.Actors.Confd;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Confd;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Templates;

/// <summary><c>check</c> resolves every name a template reads, and names a Go template for what it is.</summary>
public sealed class TemplateNameCheckTests
{
    private static readonly string[] ShippedConfigurations = ["haproxy.conf", "demo.conf"];

    private static string? Unknown(string source, params string[] variables) =>
        CompiledTemplate.Parse(source, "t.sbn").UnknownName(variables);

    [Theory]
    [InlineData("x\n{{ \"a\" | string.upcasee }}", "t.sbn(2,17): unknown function string.upcasee; did you mean string.upcase?")]
    [InlineData("{{ for v in getvss \"/a/*\" }}{{ v }}{{ end }}", "t.sbn(1,13): unknown variable or function getvss; did you mean getvs?")]
    [InlineData("{{ stats_bnd }}", "t.sbn(1,4): unknown variable or function stats_bnd; did you mean stats_bind?")]
    [InlineData("{{ haproxyslots (getvs \"/a/*\") 4 }}", "t.sbn(1,4): unknown variable or function haproxyslots; did you mean haproxySlots?")]
    [InlineData("{{ nothing_like_it }}", "t.sbn(1,4): unknown variable or function nothing_like_it")]
    public void An_unknown_name_is_an_error_at_its_position_with_a_did_you_mean(string source, string expected) =>
        Assert.Equal(expected, Unknown(source, "stats_bind"));

    [Theory]
    [InlineData("{{ x = 1 }}{{ x }}")]
    [InlineData("{{ for s in getvs \"/a/*\" }}{{ s }} {{ for.index }}{{ end }}")]
    [InlineData("{{ for slot in haproxySlots (instances \"/a/*\") 4 }}{{ slot.number }} {{ slot.value.name }}{{ end }}")]
    [InlineData("{{ capture body }}x{{ end }}{{ body | string.upcase }}")]
    [InlineData("{{ func twice(v) }}{{ ret v * 2 }}{{ end }}{{ twice 2 }}")]
    [InlineData("{{ func add_one }}{{ ret $0 + 1 }}{{ end }}{{ add_one 2 }}")]
    [InlineData("{{ vars.optional ?? \"none\" }} {{ stats_bind }} {{ array.size [1] }} {{ date.now }} {{ math.floor 1.5 }}")]
    [InlineData("{{ later }}{{ later = 1 }}")]
    [InlineData("{{ with {a: 1} }}{{ a }}{{ end }}")]
    [InlineData("{{ if exists \"/a\" }}{{ getv \"/a\" | lineSafe }}{{ else }}{{ empty }}{{ end }}")]
    public void A_name_the_template_sets_or_the_library_has_is_no_error(string source) =>
        Assert.Null(Unknown(source, "stats_bind"));

    [Fact]
    public void No_shipped_template_names_what_does_not_exist()
    {
        var variables = ShippedVariables();
        foreach (var file in Directory.GetFiles(Path.Combine(DebianPackage.RepositoryRoot, "config", "templates"), "*.sbn"))
        {
            Assert.Null(CompiledTemplate.Parse(File.ReadAllText(file), file).UnknownName(variables));
        }
    }

    [Fact]
    public void No_converted_confd_template_of_the_corpus_names_what_does_not_exist()
    {
        var checkedCases = 0;
        foreach (var corpusCase in ConfdCorpusCase.All().Where(c => !c.ConfdFails))
        {
            var conversion = GoTemplateConverter.Convert(corpusCase.Template);
            if (conversion.IsComplete)
            {
                Assert.Null(CompiledTemplate.Parse(conversion.Scriban, corpusCase.Name, asConfd: true).UnknownName([]));
                checkedCases++;
            }
        }

        Assert.True(checkedCases > 20, $"only {checkedCases} corpus cases converted");
    }

    [Theory]
    [InlineData("backend app\n{{range getvs \"/app/*\"}}\n  server {{.}}\n{{end}}\n", "t.sbn(2,1)")]
    [InlineData("{{ $pool := getvs \"/a/*\" }}{{ $pool }}", "t.sbn(1,1)")]
    [InlineData("x\n  {{- if .Enabled }}y{{ end }}", "t.sbn(2,3)")]
    public void A_go_template_saved_as_scriban_is_named_for_what_it_is(string source, string at)
    {
        var error = Assert.Throws<TemplateException>(() => CompiledTemplate.Parse(source, "t.sbn"));

        Assert.StartsWith($"{at}: this looks like a Go template: convert it with `reconciler convert-template`, or point `--confd-dir` at its confd folder", error.Message);
    }

    /// <summary>The vars the packaged configurations set for the shipped templates.</summary>
    private static string[] ShippedVariables() =>
        [.. ShippedConfigurations
            .Select(file => File.ReadAllText(Path.Combine(DebianPackage.RepositoryRoot, "config", "hocon", file)))
            .SelectMany(text => Regex.Matches(text, @"vars\s*\{(?<body>[^}]*)\}").SelectMany(m => Regex.Matches(m.Groups["body"].Value, @"^\s*(\w+)\s*=", RegexOptions.Multiline)))
            .Select(m => m.Groups[1].Value)
            .Distinct()];
}

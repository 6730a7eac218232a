using Reconciler.Actors.Confd;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Rendering;

public sealed class TemplateLoaderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("reconciler-loader-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Loads_a_scriban_file_as_written()
    {
        var path = Write("app.tmpl", "v={{ getv \"/k\" }}");

        var template = TemplateLoader.Load(path);

        Assert.Equal(path, template.FilePath);
        Assert.Equal("v={{ getv \"/k\" }}", template.SourceText);
        Assert.Equal("v=1", template.Render(State(("/k", "1"))));
    }

    [Fact]
    public void A_missing_file_is_one_line_naming_the_path()
    {
        var path = Path.Combine(folder, "absent", "missing.tmpl");

        var error = Assert.Throws<TemplateException>(() => TemplateLoader.Load(path));

        Assert.StartsWith($"{path}: cannot read template: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_go_template_is_converted_and_reads_keys_as_confd_stores_them()
    {
        const string Go = "dir={{ getv \"/p/dir\" }}\n";
        var path = Write("confd.tmpl", Go);
        var state = State(("/p/dir/", "trailing-slash"));

        var template = TemplateLoader.Load(path, TemplateSyntax.GoTemplate);

        Assert.Equal(GoTemplateConverter.Convert(Go).Scriban, template.SourceText);
        Assert.Equal("dir=trailing-slash\n", template.Render(state));
    }

    [Fact]
    public void A_scriban_template_reads_keys_as_etcd_holds_them()
    {
        var path = Write("plain.tmpl", "dir={{ getv \"/p/dir\" }}\n");

        var template = TemplateLoader.Load(path);

        Assert.Throws<TemplateException>(() => template.Render(State(("/p/dir/", "trailing-slash"))));
    }

    [Fact]
    public void A_go_template_passes_its_key_prefix_to_the_functions()
    {
        var path = Write("prefixed.tmpl", "port={{ getv \"/port\" }}\n");

        var template = TemplateLoader.Load(path, TemplateSyntax.GoTemplate, keyPrefix: "/myapp");

        Assert.Equal("port=8080\n", template.Render(State(("/myapp/port", "8080"))));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static DesiredState State(params (string Key, string Value)[] keys) =>
        DesiredState.From(keys.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)), 1);
}

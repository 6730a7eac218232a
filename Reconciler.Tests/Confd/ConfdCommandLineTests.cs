using System.Runtime.Versioning;
using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Confd;

/// <summary>The built executable pointed at a confd folder, and <c>reconciler convert-template</c>.</summary>
[UnsupportedOSPlatform("windows")]
[Trait("Executable", "reconciler")]
public sealed class ConfdCommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-confd-cli-").FullName;

    public ConfdCommandLineTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "confd", "conf.d"));
        Directory.CreateDirectory(Path.Combine(_folder, "confd", "templates"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Onetime_with_a_confd_folder_renders_checks_and_reloads_what_confd_would()
    {
        Write("confd/templates/haproxy.cfg.tmpl", GoTemplateConverterTests.ScenarioGoTemplate);
        Write("confd/conf.d/haproxy.toml", $$$"""
            [template]
            src = "haproxy.cfg.tmpl"
            dest = "{{{_folder}}}/haproxy.cfg"
            keys = [ "/apps/stupid_server" ]
            check_cmd = "haproxy -c -f {{.src}}"
            reload_cmd = "echo reloaded > '{{{_folder}}}/reloaded'"
            """);
        Write("confd/templates/myapp.conf.tmpl", """
            db = {{ getv "/database/url" }}
            {{- range gets "/cache/*" }}
            cache {{ base .Key }} {{ .Value }}
            {{- end }}

            """);
        Write("confd/conf.d/myapp.toml", $"""
            [template]
            prefix = "/myapp"
            src = "myapp.conf.tmpl"
            dest = "{_folder}/myapp.conf"
            mode = "0600"
            keys = [ "/database", "/cache" ]
            """);
        Write("confd/confd.toml", "backend = \"etcdv3\"\nnodes = [\"127.0.0.1:2379\"]\ninterval = 20\n");
        Write("keys.yaml", """
            /apps/stupid_server/stupid-server@2.service: stupid-server-2 127.0.0.1:9002
            /apps/stupid_server/stupid-server@1.service: stupid-server-1 127.0.0.1:9001
            /myapp/database/url: postgres://db:5432/app
            /myapp/cache/b: 127.0.0.1:6380
            /myapp/cache/a: 127.0.0.1:6379
            /database/url: not under the prefix
            """);
        var config = Write("reconciler.conf", "reconciler.backend { type = file, file.path = keys.yaml }");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--confd-dir", Path.Combine(_folder, "confd"), "--onetime");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.EndsWith("""
                cookie JSESSIONID prefix

                server stupid-server-1 127.0.0.1:9001 cookie A check

                server stupid-server-2 127.0.0.1:9002 cookie A check


            """, File.ReadAllText(Path.Combine(_folder, "haproxy.cfg")));
        Assert.Equal(
            "db = postgres://db:5432/app\ncache a 127.0.0.1:6379\ncache b 127.0.0.1:6380\n",
            File.ReadAllText(Path.Combine(_folder, "myapp.conf")));
        Assert.Equal(FileModeSpec.Parse("0600"), File.GetUnixFileMode(Path.Combine(_folder, "myapp.conf")));
        Assert.Equal("reloaded\n", File.ReadAllText(Path.Combine(_folder, "reloaded")));
        Assert.Contains("Reconciled haproxy", result.Stderr);
        Assert.Contains("Reconciled myapp", result.Stderr);
    }

    [Fact]
    public async Task An_unconvertible_confd_template_stops_startup_naming_file_and_line()
    {
        var template = Write("confd/templates/app.tmpl", "ok\n{{ getv \"/a\" }}\n    {{ template \"base\" . }}\n");
        Write("confd/conf.d/app.toml", $"[template]\nsrc = \"app.tmpl\"\ndest = \"{_folder}/app.conf\"\nkeys = [\"/a\"]\n");
        Write("keys.yaml", "/a: one\n");
        var config = Write("reconciler.conf", "reconciler.backend { type = file, file.path = keys.yaml }\nreconciler.confd-dir = confd\n");

        var result = await ReconcilerProcess.RunAsync("--config", config, "--onetime");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"reconciler: {template}(3,5): ", line);
        Assert.False(File.Exists(Path.Combine(_folder, "app.conf")));
    }

    [Fact]
    public async Task A_confd_folder_alone_is_enough_to_start_and_its_errors_name_the_toml_file()
    {
        var resource = Write("confd/conf.d/app.toml", "[template]\nsrc = \"app.tmpl\"\n");

        var result = await ReconcilerProcess.RunAsync("--confd-dir", Path.Combine(_folder, "confd"), "--onetime");
        var help = await ReconcilerProcess.RunAsync("--help");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"reconciler: {resource}: template.src (line 2): template {_folder}/confd/templates/app.tmpl does not exist\n", result.Stderr);
        Assert.Contains("--confd-dir", help.Stdout);
        Assert.Contains("convert-template", help.Stdout);
    }

    [Fact]
    public async Task Convert_template_prints_the_scriban_template_and_exits_zero()
    {
        var template = Write("haproxy.cfg.tmpl", GoTemplateConverterTests.ScenarioGoTemplate);

        var result = await ReconcilerProcess.RunAsync("convert-template", template);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("{{ for item in getvs \"/apps/stupid_server/*\" }}\n    server {{ item }} cookie A check\n{{ end }}\n", result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Convert_template_lists_what_it_could_not_convert_by_line_and_exits_2()
    {
        var template = Write("partial.tmpl", "{{ getv \"/a\" }}\n{{ define \"x\" }}y{{ end }}\n{{ $.Name }}\n");

        var result = await ReconcilerProcess.RunAsync("convert-template", template);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("{{ getv \"/a\" }}\n", result.Stdout);
        var problems = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Collection(
            problems,
            first => Assert.StartsWith($"reconciler: {template}(2,1): ", first),
            second => Assert.StartsWith($"reconciler: {template}(2,18): {{{{end}}}} without", second),
            third => Assert.StartsWith($"reconciler: {template}(3,1): $.Name: confd's template data is nil", third));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}

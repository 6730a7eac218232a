using Reconciler.Actors.Confd;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Confd;

/// <summary>A resource's prefix as confd applies it: keys in the template are relative to it, and come back relative.</summary>
public class ConfdKeyPrefixTests
{
    private static readonly Reconciler.Actors.State.DesiredState Keys = GoTemplateConverterTests.State(
        ("/production/upstreams/b", "2"),
        ("/production/upstreams/a", "1"),
        ("/production/name", "prod"),
        ("/name", "outside the prefix"),
        ("/upstreams/c", "outside the prefix"));

    [Fact]
    public void Every_key_function_reads_under_the_prefix_and_returns_keys_without_it()
    {
        const string go = """
            {{ range gets "/upstreams/*" }}{{ .Key }}={{ .Value }}
            {{ end }}{{ getv "/name" }} {{ exists "/name" }} {{ join (ls "/upstreams") "," }} {{ join (getvs "/upstreams/*") "," }} {{ (get "/name").Key }}
            """;

        Assert.Equal("/upstreams/a=1\n/upstreams/b=2\nprod true a,b 1,2 /name", Render(go, "/production"));
    }

    [Fact]
    public void Without_a_prefix_keys_are_absolute()
    {
        Assert.Equal("outside the prefix", Render("""{{ getv "/name" }}""", string.Empty));
    }

    [Fact]
    public void A_missing_key_names_the_key_and_the_prefix()
    {
        var error = Assert.Throws<TemplateException>(() => Render("""{{ getv "/nope" }}""", "/production"));

        Assert.Contains("key not found: /nope (under prefix /production)", error.Message);
    }

    private static string Render(string go, string prefix) =>
        CompiledTemplate.Parse(GoTemplateConverter.Convert(go).Scriban, "prefixed.tmpl", prefix).Render(Keys);
}

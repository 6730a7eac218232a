using Reconciler.Actors.Output;

namespace Reconciler.Tests.Output;

public sealed class CheckCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("haproxy -c -f {{src}}")]
    [InlineData("haproxy -c -f {{.src}}")]
    [InlineData("haproxy -c -f {{ src }}")]
    [InlineData("haproxy -c -f {{ .src }}")]
    public void Replaces_the_source_placeholder_with_the_quoted_staged_path(string template)
    {
        Assert.Equal("haproxy -c -f '/etc/haproxy/.haproxy.cfg.tmp'", CheckCommand.WithSource(template, "/etc/haproxy/.haproxy.cfg.tmp"));
    }

    [Fact]
    public void Replaces_every_placeholder_and_leaves_other_text_alone()
    {
        Assert.Equal(
            "test -s '/a' && check '/a' {{dest}} {src}",
            CheckCommand.WithSource("test -s {{src}} && check {{.src}} {{dest}} {src}", "/a"));
    }

    [Fact]
    public void Single_quotes_in_the_path_are_escaped_for_sh()
    {
        Assert.Equal(@"cat '/tmp/it'\''s $HOME'", CheckCommand.WithSource("cat {{src}}", "/tmp/it's $HOME"));
    }

    [Fact]
    public void A_template_without_placeholder_is_unchanged()
    {
        Assert.Equal("nginx -t", CheckCommand.WithSource("nginx -t", "/a"));
    }

    [Fact]
    public async Task The_quoted_path_reaches_the_command_intact()
    {
        // Any expansion of $HOME or the backticks would change the path and make cat fail.
        var path = _folder["it's a $HOME `echo x` file.cfg"];
        await File.WriteAllTextAsync(path, "payload\n");

        var result = await new CommandRunner().RunAsync(
            CheckCommand.WithSource("test -f {{ .src }} && cat {{src}}", path),
            TimeSpan.FromSeconds(30),
            CancellationToken.None);

        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal("payload\n", result.Output);
    }

    [Theory]
    [InlineData("haproxy -c -f \"{{src}}\"")]
    [InlineData("haproxy -c -f '{{ .src }}'")]
    public void Quotes_already_around_the_placeholder_are_not_doubled(string command) =>
        Assert.Equal("haproxy -c -f '/etc/haproxy/.haproxy.cfg.tmp'", CheckCommand.WithSource(command, "/etc/haproxy/.haproxy.cfg.tmp"));
}

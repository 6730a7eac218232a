using System.Text;
using Reconciler.Actors.Display;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Display;

/// <summary>Registry text shown to a human: each kind of character that could make a terminal show other text than there is.</summary>
public sealed class PrintableTextTests
{
    [Theory]
    [InlineData("/apps/web/1", "/apps/web/1")] // plain ASCII is left alone
    [InlineData("/apps/caf\u00e9/\u4e2d\ud83d\ude00", "/apps/caf\u00e9/\u4e2d\ud83d\ude00")] // so are letters and a surrogate pair
    [InlineData("a\nfile: written", "a\\nfile: written")] // LF: a forged line
    [InlineData("a\rb", "a\\rb")] // CR: overwrites the line
    [InlineData("a\tb", "a\\tb")]
    [InlineData("a\u001b[2Jb", "a\\x1b[2Jb")] // ESC: a terminal escape sequence
    [InlineData("\u001b]52;c;ZXZpbA==\u0007", "\\x1b]52;c;ZXZpbA==\\x07")] // OSC 52: a clipboard write, BEL-terminated
    [InlineData("a\u0000b\u007fc", "a\\x00b\\x7fc")] // NUL, DEL
    [InlineData("a\u009bb\u0085c", "a\\x9bb\\x85c")] // C1: CSI, NEL
    [InlineData("a\u2028b\u2029c", "a\\u2028b\\u2029c")] // line and paragraph separators
    [InlineData("/apps/\u202egnp.exe", "/apps/\\u202egnp.exe")] // right-to-left override: reads backwards
    [InlineData("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d")] // embeddings, pop, left-to-right override
    [InlineData("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069")] // isolates
    [InlineData("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c")] // LTR, RTL and Arabic letter marks
    [InlineData("web\u200b1", "web\\u200b1")] // zero-width space: two names that look alike
    [InlineData("\u200c\u200d\u2060\ufeff", "\\u200c\\u200d\\u2060\\ufeff")] // zero-width non-joiner, joiner, word joiner, BOM
    public void Of_writes_each_control_bidi_and_invisible_character_as_a_visible_escape(string text, string shown) =>
        Assert.Equal(shown, PrintableText.Of(text));

    [Fact]
    public void A_lone_surrogate_is_shown_as_its_code() => Assert.Equal("a\\ud800b\\udc00", PrintableText.Of("a\ud800b\udc00"));

    [Fact]
    public void Nothing_it_shows_has_a_character_a_terminal_acts_on()
    {
        var every = new string([.. Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(c => !char.IsSurrogate(c))]);

        var shown = PrintableText.Of(every);

        Assert.DoesNotContain(shown, c => c < 0x20 || c is >= '\u007f' and <= '\u009f' or >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or >= '\u200b' and <= '\u200f' or '\u2028' or '\u2029' or '\ufeff');
    }

    [Fact]
    public void A_long_name_is_cut_to_200_characters_with_its_size_and_escaped()
    {
        var name = "/apps/" + new string('a', 1024 * 1024);

        var shown = PrintableText.ShortOf(name);

        Assert.Equal("/apps/" + new string('a', 194) + "…(1048582 bytes)", shown);
        Assert.Equal(shown, PrintableText.ShortOf(Encoding.UTF8.GetBytes(name))); // the same from etcd's bytes
        Assert.Equal("/apps/\\x1b[31m", PrintableText.ShortOf("/apps/\u001b[31m")); // a short one is only escaped
        Assert.Equal(new string('\u00e9', 199) + "…(" + ((199 * 2) + 4) + " bytes)", PrintableText.ShortOf(new string('\u00e9', 199) + "\ud83d\ude00"));
    }

    [Fact]
    public void Lines_of_a_diff_keep_their_line_breaks_and_tabs_and_show_the_rest()
    {
        Assert.Equal("+server\tweb-1 a\\x1b[2J\n-old\\r\n", PrintableText.OfLines("+server\tweb-1 a\u001b[2J\n-old\r\n"));
    }
}

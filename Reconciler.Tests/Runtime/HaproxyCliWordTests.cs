using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Runtime;

public sealed class HaproxyCliWordTests
{
    [Theory]
    [InlineData("app/slot1")]
    [InlineData("10.0.0.7:8080")]
    [InlineData("[::1]:80")]
    [InlineData("inter")]
    [InlineData("500ms")]
    [InlineData("check-sni")]
    [InlineData("a<b>c")]
    public void A_word_of_printable_ascii_without_special_characters_is_safe(string word) =>
        Assert.True(HaproxyCliWord.IsSafe(word));

    [Theory]
    [InlineData("")]
    [InlineData("s1;disable")]
    [InlineData(";")]
    [InlineData("a\\;b")]
    [InlineData("'a'")]
    [InlineData("\"a")]
    [InlineData("a#b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("a\nshow info")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    [InlineData("a\u007fb")]
    [InlineData("caf\u00e9")]
    [InlineData("a<<")]
    public void A_word_the_cli_would_split_unescape_or_read_as_a_payload_is_not_safe(string word) =>
        Assert.False(HaproxyCliWord.IsSafe(word));

    [Fact]
    public void Printable_shows_control_and_non_ascii_characters_as_escapes() =>
        Assert.Equal("a\\u000ab\\u00e9 ;c", HaproxyCliWord.Printable("a\nb\u00e9 ;c"));
}

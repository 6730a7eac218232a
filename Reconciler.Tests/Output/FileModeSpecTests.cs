using Reconciler.Actors.Output;

namespace Reconciler.Tests.Output;

public sealed class FileModeSpecTests
{
    [Theory]
    [InlineData("0644", 0b110_100_100)]
    [InlineData("644", 0b110_100_100)]
    [InlineData("0600", 0b110_000_000)]
    [InlineData("0755", 0b111_101_101)]
    [InlineData("0000", 0)]
    [InlineData("1777", 0b001_111_111_111)]
    public void Parses_octal_modes_with_or_without_leading_zero(string text, int expected)
    {
        Assert.True(FileModeSpec.TryParse(text, out var mode));
        Assert.Equal((UnixFileMode)expected, mode);
        Assert.Equal((UnixFileMode)expected, FileModeSpec.Parse(text));
    }

    [Fact]
    public void Parses_into_the_named_permission_bits()
    {
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            FileModeSpec.Parse("0644"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("64")]
    [InlineData("06444")]
    [InlineData("0648")]
    [InlineData("rw-r--r--")]
    [InlineData(" 644")]
    [InlineData("-644")]
    public void Rejects_anything_but_three_or_four_octal_digits(string text)
    {
        Assert.False(FileModeSpec.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => FileModeSpec.Parse(text));
        Assert.Equal($"invalid file mode '{text}': expected 3 or 4 octal digits, such as 0644", error.Message);
    }

    [Fact]
    public void Rejects_null()
    {
        Assert.False(FileModeSpec.TryParse(null, out _));
    }
}

namespace Reconciler.Actors.Output;

/// <summary>
/// Parses the octal permission strings operators write in config (<c>"0644"</c>, <c>"644"</c>, <c>"0600"</c>,
/// <c>"1777"</c>) into a <see cref="UnixFileMode"/>.
/// </summary>
internal static class FileModeSpec
{
    /// <summary>Parses <paramref name="text"/> or throws a <see cref="FormatException"/> naming the value.</summary>
    public static UnixFileMode Parse(string text) =>
        TryParse(text, out var mode)
            ? mode
            : throw new FormatException($"invalid file mode '{text}': expected 3 or 4 octal digits, such as 0644");

    /// <summary>True when <paramref name="text"/> is 3 or 4 octal digits (a leading 0 is optional).</summary>
    public static bool TryParse(string? text, out UnixFileMode mode)
    {
        mode = default;
        if (text is null || text.Length is < 3 or > 4)
        {
            return false;
        }

        var value = 0;
        foreach (var digit in text)
        {
            if (digit is < '0' or > '7')
            {
                return false;
            }

            value = (value * 8) + (digit - '0');
        }

        mode = (UnixFileMode)value; // 4 octal digits cover exactly setuid/setgid/sticky + rwx for user/group/other
        return true;
    }
}

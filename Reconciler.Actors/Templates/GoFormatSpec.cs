using System.Globalization;

namespace Reconciler.Actors.Templates;

/// <summary>The flags, width and precision of one Go printf verb (<c>%-10s</c>, <c>%05d</c>, <c>%8.3f</c>).</summary>
internal readonly record struct GoFormatSpec(bool Minus, bool Plus, bool Space, bool Zero, bool Sharp, int? Width, int? Precision)
{
    /// <summary>The same without the 0 flag: integers and infinities pad with spaces.</summary>
    public GoFormatSpec WithoutZero => this with { Zero = false };

    /// <summary>Reads flags, width and precision from <paramref name="start"/>; returns where the verb is.</summary>
    /// <exception cref="FormatException"><c>*</c> or an argument index, which are not supported.</exception>
    public static (GoFormatSpec Spec, int End) Parse(string format, int start)
    {
        var spec = default(GoFormatSpec);
        var i = start;
        for (; i < format.Length; i++)
        {
            spec = format[i] switch
            {
                '-' => spec with { Minus = true, Zero = false },
                '+' => spec with { Plus = true },
                ' ' => spec with { Space = true },
                '0' => spec with { Zero = !spec.Minus },
                '#' => spec with { Sharp = true },
                _ => spec,
            };
            if (format[i] is not ('-' or '+' or ' ' or '0' or '#'))
            {
                break;
            }
        }

        (var width, i) = Number(format, i);
        int? precision = null;
        if (i < format.Length && format[i] == '.')
        {
            (precision, i) = Number(format, i + 1);
            precision ??= 0;
        }

        if (i < format.Length && format[i] is '*' or '[')
        {
            throw new FormatException($"printf \"{format}\": * and argument indexes are not supported");
        }

        return (spec with { Width = width, Precision = precision }, i);
    }

    /// <summary>Pads to the width: spaces on the left, on the right with -, zeros on the left with 0.</summary>
    public string Pad(string text)
    {
        var runes = text.EnumerateRunes().Count();
        if (Width is not { } width || runes >= width)
        {
            return text;
        }

        var padding = new string(Zero ? '0' : ' ', width - runes);
        return Minus ? text + padding : padding + text;
    }

    private static (int? Value, int End) Number(string format, int start)
    {
        var end = start;
        while (end < format.Length && char.IsAsciiDigit(format[end]))
        {
            end++;
        }

        return end == start ? (null, end) : (int.Parse(format.AsSpan(start, end - start), CultureInfo.InvariantCulture), end);
    }
}

using System.Collections;
using System.Globalization;
using System.Text;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// Go's fmt.Sprintf for the values a confd template holds (strings, ints, float64s, bools, lists, maps, key/value
/// pairs): the verbs v s q d x X o b c t e E f F g, the flags <c>- + # 0 space</c>, width and precision, and Go's
/// in-band errors for a wrong verb or argument count. A valid format this does not reproduce (<c>%*d</c>,
/// <c>%.3g</c>, <c>%U</c>) throws rather than print something else.
/// </summary>
internal sealed class GoPrintf(string format, IReadOnlyList<object?> arguments)
{
    private readonly StringBuilder output = new();
    private int nextArgument;

    public string Format()
    {
        for (var i = 0; i < format.Length;)
        {
            if (format[i] != '%')
            {
                output.Append(format[i++]);
                continue;
            }

            var (spec, end) = GoFormatSpec.Parse(format, i + 1);
            i = end;
            if (i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }

            var verb = format[i++];
            if (verb == '%')
            {
                output.Append('%');
            }
            else if (nextArgument >= arguments.Count)
            {
                output.Append("%!").Append(verb).Append("(MISSING)");
            }
            else
            {
                output.Append(Argument(arguments[nextArgument++], verb, spec));
            }
        }

        if (nextArgument < arguments.Count)
        {
            output.Append("%!(EXTRA ")
                .AppendJoin(", ", arguments.Skip(nextArgument).Select(a => a is null ? "<nil>" : $"{GoTypeName(a)}={GoValueFormat.Value(a)}"))
                .Append(')');
        }

        return output.ToString();
    }

    private static string Argument(object? value, char verb, GoFormatSpec spec) => value switch
    {
        null => verb == 'v' ? spec.Pad("<nil>") : $"%!{verb}(<nil>)",
        string text => Text(text, verb, spec),
        bool flag => verb is 'v' or 't' ? spec.Pad(flag ? "true" : "false") : BadVerb(value, verb),
        double or float or decimal => Float(System.Convert.ToDouble(value, CultureInfo.InvariantCulture), verb, spec),
        sbyte or byte or short or ushort or int or uint or long => Integer(System.Convert.ToInt64(value, CultureInfo.InvariantCulture), verb, spec),
        KeyValueEntry entry => "{" + Argument(entry.Key, verb, spec) + " " + Argument(entry.Value, verb, spec) + "}",
        IScriptObject map and not ScriptArray => Map(map.GetMembers().Select(name => KeyValuePair.Create(name, GoValueFormat.Member(map, name))), verb, spec),
        IEnumerable items => "[" + string.Join(' ', items.Cast<object?>().Select(item => Argument(item, verb, spec))) + "]",
        _ => throw new FormatException($"printf cannot format a {value.GetType().Name} as Go would"),
    };

    private static string Text(string text, char verb, GoFormatSpec spec)
    {
        if (spec.Precision is { } precision)
        {
            // precision counts runes for %s/%q and bytes for %x
            text = verb is 'x' or 'X'
                ? Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text).AsSpan(0, Math.Min(precision, Encoding.UTF8.GetByteCount(text))))
                : string.Concat(text.EnumerateRunes().Take(precision));
        }

        return verb switch
        {
            'v' or 's' => spec.Pad(text),
            'q' when !spec.Sharp => spec.Pad(Quote(text)),
            'x' or 'X' when !spec.Space => spec.Pad((spec.Sharp && text.Length > 0 ? (verb == 'x' ? "0x" : "0X") : string.Empty) + Hex(Encoding.UTF8.GetBytes(text), verb)),
            'q' or 'x' or 'X' => throw new FormatException($"printf %{verb} with these flags is not supported"),
            _ => BadVerb(text, verb),
        };
    }

    private static string Integer(long number, char verb, GoFormatSpec spec)
    {
        var magnitude = number == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(number);
        var (digits, prefix) = verb switch
        {
            'v' or 'd' => (magnitude.ToString(CultureInfo.InvariantCulture), string.Empty),
            'x' => (magnitude.ToString("x", CultureInfo.InvariantCulture), spec.Sharp ? "0x" : string.Empty),
            'X' => (magnitude.ToString("X", CultureInfo.InvariantCulture), spec.Sharp ? "0X" : string.Empty),
            'o' => (System.Convert.ToString((long)magnitude, 8), spec.Sharp ? "0" : string.Empty),
            'b' => (System.Convert.ToString((long)magnitude, 2), spec.Sharp ? "0b" : string.Empty),
            'c' => (char.ConvertFromUtf32((int)number), string.Empty),
            'q' or 'U' or 'O' => throw new FormatException($"printf %{verb} of an integer is not supported"),
            _ => (string.Empty, string.Empty),
        };
        if (digits.Length == 0)
        {
            return BadVerb(number, verb);
        }

        if (verb == 'c')
        {
            return spec.Pad(digits);
        }

        var sign = number < 0 ? "-" : spec.Plus ? "+" : spec.Space ? " " : string.Empty;

        // %.3d and %03d both ask for leading zeros; with a precision, the 0 flag pads with spaces instead
        var minimumDigits = spec.Precision ?? (spec.Zero && spec.Width is { } width ? width - sign.Length : 0);
        if (spec.Precision == 0 && number == 0)
        {
            digits = string.Empty;
        }

        if (verb == 'o' && spec.Sharp && digits.StartsWith('0'))
        {
            prefix = string.Empty;
        }

        return spec.WithoutZero.Pad(sign + prefix + digits.PadLeft(minimumDigits, '0'));
    }

    private static string Float(double number, char verb, GoFormatSpec spec)
    {
        var text = verb switch
        {
            'v' or 'g' or 'G' when spec.Precision is null => GoValueFormat.Float(number),
            'e' or 'E' => Scientific(number, spec.Precision ?? 6, verb),
            'f' or 'F' => number.ToString("F" + (spec.Precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            'g' or 'G' or 'x' or 'X' or 'b' => throw new FormatException($"printf %{verb} of a float with this precision is not supported"),
            _ => null,
        };
        if (text is null)
        {
            return BadVerb(number, verb);
        }

        if (verb == 'G')
        {
            text = text.ToUpperInvariant();
        }

        if (!double.IsFinite(number))
        {
            return spec.WithoutZero.Pad(text);
        }

        var sign = text.StartsWith('-') ? "-" : spec.Plus ? "+" : spec.Space ? " " : string.Empty;
        var unsigned = text.TrimStart('-');

        // Go puts the sign before the zeros of %08.3f
        return spec.Zero && !spec.Minus && spec.Width is { } width && width > sign.Length + unsigned.Length
            ? sign + unsigned.PadLeft(width - sign.Length, '0')
            : spec.Pad(sign + unsigned);
    }

    private static string Scientific(double number, int precision, char verb)
    {
        var text = number.ToString((verb == 'e' ? "e" : "E") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var letter = text.IndexOf(verb);
        var exponent = int.Parse(text[(letter + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return $"{text[..letter]}{verb}{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture)}";
    }

    private static string Map(IEnumerable<KeyValuePair<string, object?>> entries, char verb, GoFormatSpec spec) =>
        "map[" + string.Join(' ', entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => Argument(e.Key, verb, spec) + ":" + Argument(e.Value, verb, spec))) + "]";

    private static string Hex(byte[] bytes, char verb) =>
        verb == 'x' ? System.Convert.ToHexStringLower(bytes) : System.Convert.ToHexString(bytes);

    /// <summary>Go's strconv.Quote: printable runes kept, the rest escaped.</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            _ = rune.Value switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append(@"\\"),
                '\a' => quoted.Append(@"\a"),
                '\b' => quoted.Append(@"\b"),
                '\f' => quoted.Append(@"\f"),
                '\n' => quoted.Append(@"\n"),
                '\r' => quoted.Append(@"\r"),
                '\t' => quoted.Append(@"\t"),
                '\v' => quoted.Append(@"\v"),
                < 0x20 or 0x7f => quoted.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}"),
                < 0x80 => quoted.Append((char)rune.Value),
                _ when Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                    or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    or UnicodeCategory.SpaceSeparator
                    => throw new FormatException("printf %q of a string with non-printable Unicode is not supported"),
                _ => quoted.Append(rune.ToString()),
            };
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Go's <c>%!d(string=x)</c> for a verb that does not fit the value.</summary>
    private static string BadVerb(object value, char verb) => $"%!{verb}({GoTypeName(value)}={GoValueFormat.Value(value)})";

    /// <summary>The Go type confd's functions give the value, as fmt names it in its errors.</summary>
    private static string GoTypeName(object value) => value switch
    {
        string => "string",
        bool => "bool",
        double or float or decimal => "float64",
        long or int or short or sbyte or byte or ushort or uint => "int",
        KeyValueEntry => "memkv.KVPair",
        KeyValueEntry[] => "[]memkv.KVPair",
        string[] => "[]string",
        long[] => "[]int",
        IScriptObject and not ScriptArray => "map[string]interface {}",
        IEnumerable => "[]interface {}",
        _ => value.GetType().Name,
    };
}

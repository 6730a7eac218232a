using System.Collections;
using System.Globalization;
using System.Text;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// Go's fmt as confd templates print through it: <c>{{x}}</c> (text/template's printValue), <c>print</c>,
/// <c>println</c> and <c>printf</c>. A list prints as <c>[a b c]</c>, a map as <c>map[a:1 b:2]</c> with sorted keys,
/// a float64 (every JSON number) in Go's shortest form (<c>1e+06</c>), a missing value as <c>&lt;no value&gt;</c>.
/// Values Go prints as memory addresses or clock readings cannot be reproduced and are errors.
/// </summary>
internal static class GoValueFormat
{
    /// <summary>What <c>{{x}}</c> prints.</summary>
    public static string Print(object? value) => value is null ? "<no value>" : Value(value);

    /// <summary>Go's fmt.Sprint: a space between two operands when neither is a string.</summary>
    public static string Sprint(IReadOnlyList<object?> values)
    {
        var text = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0 && values[i] is not string && values[i - 1] is not string)
            {
                text.Append(' ');
            }

            text.Append(Value(values[i]));
        }

        return text.ToString();
    }

    /// <summary>Go's fmt.Sprintln: spaces between all operands, a line break at the end.</summary>
    public static string Sprintln(IReadOnlyList<object?> values) => string.Join(' ', values.Select(Value)) + "\n";

    /// <summary>Go's fmt.Sprintf, wrong verbs and argument counts included (<c>%!d(string=x)</c>, <c>%!s(MISSING)</c>).</summary>
    public static string Sprintf(string format, IReadOnlyList<object?> arguments) => new GoPrintf(format, arguments).Format();

    /// <summary>A value as Go's %v prints it inside fmt (nil is <c>&lt;nil&gt;</c> there).</summary>
    internal static string Value(object? value) => value switch
    {
        null => "<nil>",
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => Float(number),
        float number => Float(number),
        decimal number => Float((double)number),
        sbyte or byte or short or ushort or int or uint or long or ulong => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
        KeyValueEntry entry => $"{{{entry.Key} {entry.Value}}}",
        ServiceRecord => throw new FormatException("Go prints an SRV record as a memory address; print its fields (.Target, .Port)"),
        DateTime or DateTimeOffset => throw new FormatException("Go prints datetime with its monotonic clock reading; format it with printf of its parts"),
        IScriptObject map and not ScriptArray => Map(map.GetMembers().Select(name => KeyValuePair.Create(name, Member(map, name)))),
        IDictionary dictionary => Map(dictionary.Keys.Cast<object>().Select(key => KeyValuePair.Create(Value(key), dictionary[key]))),
        IEnumerable items => "[" + string.Join(' ', items.Cast<object?>().Select(Value)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Go's strconv.FormatFloat(f, 'g', -1, 64): shortest digits, an exponent below 1e-4 and from 1e+06 on.</summary>
    internal static string Float(double number)
    {
        if (double.IsNaN(number))
        {
            return "NaN";
        }

        if (double.IsInfinity(number))
        {
            return number > 0 ? "+Inf" : "-Inf";
        }

        var (digits, point) = ShortestDigits(number);
        var sign = number < 0 || (number == 0 && double.IsNegative(number)) ? "-" : string.Empty;
        var exponent = point - 1;
        if (digits == "0")
        {
            return sign + "0";
        }

        return exponent is < -4 or >= 6
            ? sign + Exponent(digits, exponent)
            : sign + Fixed(digits, point);
    }

    /// <summary>Go's %e layout of significant digits: d.ddde±XX, at least two exponent digits.</summary>
    internal static string Exponent(string digits, int exponent, char letter = 'e')
    {
        var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        var magnitude = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        return $"{mantissa}{letter}{(exponent < 0 ? '-' : '+')}{magnitude}";
    }

    /// <summary>The shortest round-tripping decimal digits of |number| and where the decimal point goes.</summary>
    private static (string Digits, int Point) ShortestDigits(double number)
    {
        var shortest = Math.Abs(number).ToString("R", CultureInfo.InvariantCulture);

        // "R" gives the shortest digits, as Go's; only the layout differs
        var exponentAt = shortest.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? shortest : shortest[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var integerPart = dot < 0 ? mantissa : mantissa[..dot];
        var fraction = dot < 0 ? string.Empty : mantissa[(dot + 1)..];
        var all = (integerPart + fraction).TrimStart('0');
        var leadingZeros = (integerPart + fraction).Length - all.Length;
        var point = integerPart.Length - leadingZeros + exponent;
        all = all.TrimEnd('0');
        return all.Length == 0 ? ("0", 1) : (all, point);
    }

    private static string Fixed(string digits, int point) =>
        point <= 0
            ? "0." + new string('0', -point) + digits
            : point >= digits.Length
                ? digits + new string('0', point - digits.Length)
                : digits[..point] + "." + digits[point..];

    /// <summary>A member's value, null when missing (Go's zero value for a missing map key).</summary>
    internal static object? Member(IScriptObject map, string name) =>
        map.TryGetValue(null, default, name, out var value) ? value : null;

    private static string Map(IEnumerable<KeyValuePair<string, object?>> entries) =>
        "map[" + string.Join(' ', entries.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => $"{entry.Key}:{Value(entry.Value)}")) + "]";
}

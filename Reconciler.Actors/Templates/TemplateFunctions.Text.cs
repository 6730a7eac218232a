using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Scriban;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>String, path, encoding and parsing functions, with the Go semantics confd inherits.</summary>
internal sealed partial class TemplateFunctions
{
    private void RegisterTextFunctions()
    {
        Register<string, string>("base", PathBase);
        Register<string, string>("dir", PathDir);
        Register<string, string, string[]>("split", Split);
        Register<TemplateContext, IEnumerable, string, string>("join", Join);
        Register<string, string>("toUpper", ToUpper);
        Register<string, string>("toLower", ToLower);
        Register("contains", (string s, string substring) => s.Contains(substring, StringComparison.Ordinal));
        Register<string, string, string, int, string>("replace", Replace);
        Register<string, string, string>("trimSuffix", TrimSuffix);
        Register<string, long>("atoi", Atoi);
        Register<string, bool>("parseBool", ParseBool);
        Register("base64Encode", (string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)));
        Register("base64Decode", (string s) => Encoding.UTF8.GetString(Convert.FromBase64String(s)));
        Register<string, ScriptObject>("json", ParseJsonObject);
        Register<string, ScriptArray>("jsonArray", ParseJsonArray);
        Register<object?[], ScriptObject>("map", CreateMap);
    }

    /// <summary>confd's map: a map from alternating keys (strings) and values.</summary>
    private static ScriptObject CreateMap(object?[] keysAndValues)
    {
        if (keysAndValues.Length % 2 != 0)
        {
            throw new ArgumentException("invalid map call");
        }

        var map = new ScriptObject();
        for (var i = 0; i < keysAndValues.Length; i += 2)
        {
            map[keysAndValues[i] as string ?? throw new ArgumentException("map keys must be strings")] = keysAndValues[i + 1];
        }

        return map;
    }

    /// <summary>Go's path.Base: the last element, ignoring trailing slashes; "." for "", "/" for only slashes.</summary>
    private static string PathBase(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var trimmed = path.TrimEnd('/');
        var last = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        return last.Length == 0 ? "/" : last;
    }

    /// <summary>Go's path.Dir: everything before the last element, cleaned.</summary>
    private static string PathDir(string path) => CleanPath(path[..(path.LastIndexOf('/') + 1)]);

    /// <summary>Go's path.Clean: collapses "//", drops ".", resolves ".." lexically; "." when nothing is left.</summary>
    internal static string CleanPath(string path)
    {
        var rooted = path.StartsWith('/');
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment != "..")
            {
                segments.Add(segment);
            }
            else if (segments.Count > 0 && segments[^1] != "..")
            {
                segments.RemoveAt(segments.Count - 1);
            }
            else if (!rooted)
            {
                // ".." above a relative start is kept; above the root it is dropped.
                segments.Add(segment);
            }
        }

        var joined = string.Join('/', segments);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>
    /// Go's strings.ToUpper: Unicode's simple mapping of each rune, which .NET's invariant casing follows except
    /// that it leaves the dotless ı alone (Go: I).
    /// </summary>
    private static string ToUpper(string s) => s.ToUpperInvariant().Replace('ı', 'I');

    /// <summary>Go's strings.ToLower: as <see cref="ToUpper"/>, where .NET leaves the dotted İ alone (Go: i).</summary>
    private static string ToLower(string s) => s.ToLowerInvariant().Replace('İ', 'i');

    /// <summary>Go's strings.Split: an empty separator splits into code points.</summary>
    private static string[] Split(string s, string separator) =>
        separator.Length == 0
            ? [.. s.EnumerateRunes().Select(rune => rune.ToString())]
            : s.Split(separator);

    /// <summary>Items formatted as Scriban prints them (<c>true</c>, not <c>True</c>).</summary>
    /// <exception cref="ArgumentException">A string instead of a list (<c>"a,b" | join ","</c> in Go passes it as the separator).</exception>
    private static string Join(TemplateContext context, IEnumerable values, string separator) =>
        values is string
            ? throw new ArgumentException("join takes a list and a separator, not a string")
            : string.Join(separator, values.Cast<object?>().Select(value => context.ObjectToString(value)));

    /// <summary>
    /// Go's strings.Replace: the first <paramref name="count"/> non-overlapping occurrences (all when negative).
    /// An empty <paramref name="oldValue"/> matches before each code point and at the end.
    /// In a template a negative count needs parentheses, <c>replace s "a" "b" (-1)</c>: Scriban reads a bare
    /// <c>-1</c> as a subtraction from the call's result.
    /// </summary>
    private static string Replace(string s, string oldValue, string newValue, int count)
    {
        var result = new StringBuilder(s.Length);
        var start = 0;
        for (var replaced = 0; count < 0 || replaced < count; replaced++)
        {
            var at = NextOccurrence(s, oldValue, start, isFirst: replaced == 0);
            if (at < 0)
            {
                break;
            }

            result.Append(s, start, at - start).Append(newValue);
            start = at + oldValue.Length;
        }

        return result.Append(s, start, s.Length - start).ToString();
    }

    private static int NextOccurrence(string s, string value, int start, bool isFirst)
    {
        if (value.Length > 0)
        {
            return s.IndexOf(value, start, StringComparison.Ordinal);
        }

        // An empty match sits at the start, then after each following code point.
        if (isFirst)
        {
            return start;
        }

        return start < s.Length ? start + (char.IsSurrogatePair(s, start) ? 2 : 1) : -1;
    }

    private static string TrimSuffix(string s, string suffix) =>
        s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;

    /// <summary>Go's strconv.Atoi: optional sign and decimal digits, nothing else. The error names the key, not the value.</summary>
    private long Atoi(string s) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"atoi: {Origin(s)} is not a decimal integer");

    /// <summary>Go's strconv.ParseBool: exactly 1, t, T, TRUE, true, True and their false counterparts.</summary>
    private bool ParseBool(string s) => s switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw new FormatException($"parseBool: {Origin(s)} is not a Go boolean (1, t, T, true, True, TRUE or their false forms)"),
    };

    /// <summary>A JSON object as a script object, so a template reads <c>(json v).field</c>.</summary>
    private static ScriptObject ParseJsonObject(string json) =>
        ParseJson(json) as ScriptObject ?? throw new FormatException("json: the value is not a JSON object");

    private static ScriptArray ParseJsonArray(string json) =>
        ParseJson(json) as ScriptArray ?? throw new FormatException("jsonArray: the value is not a JSON array");

    private static object? ParseJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return ToScriptValue(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid JSON: {e.Message}", e);
        }
    }

    private static object? ToScriptValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToScriptObject(element),
        JsonValueKind.Array => new ScriptArray(element.EnumerateArray().Select(ToScriptValue)),
        JsonValueKind.String => element.GetString(),
        // Go's encoding/json, as confd's json uses it, makes every number a float64 (8080, 1e+06 printed)
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static ScriptObject ToScriptObject(JsonElement element)
    {
        var result = new ScriptObject();
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = ToScriptValue(property.Value);
        }

        return result;
    }
}

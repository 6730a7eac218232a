using Reconciler.Actors.Display;
using Reconciler.Actors.Networks;
using Scriban;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// Values from the registry where they enter a config line: <c>instances</c> parses registrations strictly and skips
/// the ones that do not parse, <c>lineSafe</c> and <c>haproxyWord</c> let a single value through only when it cannot
/// change the line's shape. A guard that refuses fails the render (dest keeps what it has) naming the key, never the value.
/// </summary>
internal sealed partial class TemplateFunctions
{
    /// <summary>Characters HAProxy's config parser gives a meaning inside a line: a comment, quotes, an escape.</summary>
    private static readonly char[] HaproxySpecial = ['#', '"', '\'', '\\'];

    private void RegisterGuardFunctions()
    {
        Register<TemplateContext, string, ScriptArray>("instances", Instances);
        Register<string, string>("lineSafe", LineSafe);
        Register<string, string>("haproxyWord", HaproxyWord);
        Register<TemplateContext, string, string, ScriptArray>("mapEntries", MapEntries);
    }

    /// <summary>
    /// The registrations under <paramref name="pattern"/> that parse as <c>&lt;name&gt; &lt;host&gt;:&lt;port&gt;</c>
    /// (<see cref="InstanceValue"/>) and point where the template's allowed-networks and allow-hostnames let them
    /// (<see cref="AddressPolicy"/>), sorted by value as <c>getvs</c> sorts; each has <c>key</c>, <c>name</c>,
    /// <c>host</c>, <c>port</c>, <c>address</c> and <c>value</c>. Any other is skipped and reported.
    /// </summary>
    private ScriptArray Instances(TemplateContext context, string pattern)
    {
        var parsed = new List<(string Key, InstanceValue Instance)>();
        foreach (var (key, value) in Admitted(Selected(context, "instances", pattern)))
        {
            if (!InstanceValue.TryParse(value, out var instance, out var reason))
            {
                guard.Skip(key, $"its value {reason}");
            }
            else if (instance!.Refusal(guard.Addresses) is { } refusal)
            {
                guard.Skip(key, $"its host {refusal}");
            }
            else
            {
                parsed.Add((key, instance));
            }
        }

        var result = new ScriptArray(parsed.Count);
        foreach (var (key, instance) in parsed.OrderBy(p => p.Instance.Value, StringComparer.Ordinal))
        {
            result.Add(new ScriptObject
            {
                ["key"] = Unprefixed(key),
                ["name"] = instance.Name,
                ["host"] = instance.Host,
                ["port"] = instance.Port,
                ["address"] = instance.Address,
                ["value"] = instance.Value,
            });
        }

        return result;
    }

    /// <summary>
    /// The keys under <paramref name="pattern"/> as lines of a map or ACL file, sorted by key: each has <c>key</c>,
    /// <c>name</c> (the key's last segment: a host, say) and <c>value</c>. One whose name or value is not one HAProxy
    /// word (<c>haproxyWord</c>) is skipped and reported: no value can add an entry, a comment or a second word.
    /// <paramref name="kind"/> <c>"network"</c> takes a value only when it is an IP address or a CIDR network (for
    /// <c>src -f</c>, which refuses the whole file for one that is not), in a form HAProxy 2.6 reads both in the file
    /// and through <c>add acl</c>: not <c>[::1]</c>, <c>fe80::1%1</c>, <c>0x7f.0.0.1</c> or <c>10.1</c>.
    /// </summary>
    private ScriptArray MapEntries(TemplateContext context, string pattern, string kind = "word")
    {
        var networks = kind switch
        {
            "word" => false,
            "network" => true,
            _ => throw new ArgumentException($"mapEntries: kind \"{PrintableText.Of(kind)}\" is neither \"word\" nor \"network\""),
        };
        var result = new ScriptArray();
        foreach (var (key, value) in Admitted(Selected(context, "mapEntries", pattern)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var name = PathBase(key);
            if (!IsHaproxyWord(name))
            {
                guard.Skip(key, "its last segment is not one HAProxy word (printable ASCII without spaces, #, quotes or backslashes)");
            }
            else if (!IsHaproxyWord(value))
            {
                guard.Skip(key, "its value is not one HAProxy word (printable ASCII without spaces, #, quotes or backslashes)");
            }
            else if (networks && !IsNetwork(value))
            {
                guard.Skip(key, "its value is not an IP address or a CIDR network");
            }
            else
            {
                result.Add(new ScriptObject { ["key"] = Unprefixed(key), ["name"] = name, ["value"] = value });
            }
        }

        return result;
    }

    /// <summary><paramref name="value"/> when it has no control character (it stays on its line), else a render error.</summary>
    private string LineSafe(string value) =>
        PrintableText.HasControlCharacter(value) ? throw new ArgumentException($"lineSafe: {Origin(value)} has a control character") : value;

    /// <summary>
    /// <paramref name="value"/> when it is one HAProxy word: printable ASCII, no space, and none of <c># " ' \</c>
    /// (a comment, a quote or an escape would change how HAProxy reads the rest of the line); else a render error.
    /// </summary>
    private string HaproxyWord(string value) =>
        IsHaproxyWord(value)
            ? value
            : throw new ArgumentException($"haproxyWord: {Origin(value)} is not one HAProxy word (printable ASCII without spaces, #, quotes or backslashes)");

    /// <summary>An address or a network as both an ACL file and <c>add acl</c> take it (<see cref="HaproxyAddressSyntax"/>).</summary>
    private static bool IsNetwork(string value) => HaproxyAddressSyntax.TryParseNetwork(value, out _);

    private static bool IsHaproxyWord(string value) =>
        value.Length > 0 && value.All(c => c is > ' ' and < '\x7f') && value.IndexOfAny(HaproxySpecial) < 0;

    /// <summary>Which key holds <paramref name="value"/>, for an error that must not quote the value itself.</summary>
    private string Origin(string value)
    {
        var keys = state.Keys.Where(kv => kv.Value == value).Select(kv => PrintableText.Of(Unprefixed(kv.Key))).Take(3).ToList();
        return keys.Count switch
        {
            0 => "a value",
            1 => $"the value of {keys[0]}",
            _ => $"the value of {string.Join(", ", keys)} (they hold the same)",
        };
    }
}

using System.Collections.Immutable;
using System.Net;

namespace Reconciler.Actors.Runtime;

/// <summary>One <c>server NAME ADDRESS[:PORT] [keywords]</c> line of an HAProxy backend.</summary>
public sealed record HaproxyServerLine(string Name, string Host, int Port, ImmutableArray<string> Keywords)
{
    /// <summary>Declared <c>disabled</c>: a placeholder slot, or a server kept out of traffic.</summary>
    public bool Disabled => Keywords.Contains("disabled");

    public bool HasCheck => Keywords.Contains("check");

    /// <summary>The <c>weight</c> keyword's value; HAProxy's default is 1.</summary>
    public int Weight => KeywordValue("weight") is { } text && int.TryParse(text, out var weight) ? weight : 1;

    public bool HasIpAddress => IPAddress.TryParse(Host, out _);

    public string Address => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Keywords the runtime API cannot change on an existing server: everything but address, weight and state.</summary>
    public string FixedKeywords => string.Join(' ', WithoutKeywords(["disabled", "enabled"], ["weight"]));

    /// <summary>The keywords for <c>add server</c>: the state is set by commands after it.</summary>
    public string AddServerKeywords => string.Join(' ', WithoutKeywords(["disabled", "enabled"], []));

    /// <summary>Parses the words after <c>server</c>; null when the line is not one the runtime API can reproduce.</summary>
    public static HaproxyServerLine? Parse(IReadOnlyList<string> words)
    {
        if (words.Count < 3 || words[0] != "server")
        {
            return null;
        }

        var address = words[2];
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out var port))
        {
            return null;
        }

        var host = address[..colon].Trim('[', ']');
        return new HaproxyServerLine(words[1], host, port, [.. words.Skip(3)]);
    }

    /// <summary>Value equality, including the keywords (records compare those by reference).</summary>
    public bool IsSameAs(HaproxyServerLine other) =>
        Name == other.Name && Host == other.Host && Port == other.Port && Keywords.SequenceEqual(other.Keywords);

    public string? KeywordValue(string keyword)
    {
        var at = Keywords.IndexOf(keyword);
        return at >= 0 && at + 1 < Keywords.Length ? Keywords[at + 1] : null;
    }

    private IEnumerable<string> WithoutKeywords(string[] flags, string[] withValue)
    {
        for (var i = 0; i < Keywords.Length; i++)
        {
            if (withValue.Contains(Keywords[i]))
            {
                i++;
            }
            else if (!flags.Contains(Keywords[i]))
            {
                yield return Keywords[i];
            }
        }
    }
}

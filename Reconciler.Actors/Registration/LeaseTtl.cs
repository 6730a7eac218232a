using System.Globalization;
using System.Text.RegularExpressions;

namespace Reconciler.Actors.Registration;

/// <summary>A lease TTL as written on the command line: <c>10s</c>, <c>2m</c>, <c>1h</c>, or plain seconds (<c>10</c>).</summary>
public static partial class LeaseTtl
{
    /// <summary>etcd counts lease TTLs in whole seconds, and gives a shorter one its minimum (2s by default) anyway.</summary>
    public static bool TryParse(string text, out TimeSpan ttl, out string error)
    {
        ttl = TimeSpan.Zero;
        var match = Duration().Match(text.Trim());
        if (!match.Success)
        {
            error = $"\"{text}\" is not a duration (use e.g. 10s, 2m, or seconds: 10)";
            return false;
        }

        var amount = long.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
        var seconds = match.Groups["unit"].Value switch
        {
            "m" => amount * 60,
            "h" => amount * 3600,
            _ => amount,
        };
        if (seconds < 1)
        {
            error = "must be at least 1s";
            return false;
        }

        ttl = TimeSpan.FromSeconds(seconds);
        error = string.Empty;
        return true;
    }

    [GeneratedRegex(@"^(?<amount>\d{1,7})(?<unit>s|m|h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}

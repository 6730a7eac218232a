namespace Reconciler.Bench;

/// <summary>
/// Keys shaped like the scenario's registrations: <c>/apps/stupid_server/&lt;group&gt;@&lt;n&gt;.service</c> =
/// <c>"&lt;group&gt;-&lt;n&gt; &lt;ip&gt;:9000"</c>, which the template renders as one <c>server</c> line each.
/// </summary>
public static class ScenarioKeys
{
    public const string Prefix = "/apps/stupid_server";

    /// <summary>The preloaded instances that make up the key count of a size.</summary>
    public const string Preloaded = "stupid-server";

    public static string Key(string group, int n) => $"{Prefix}/{group}@{n}.service";

    public static string Value(string group, int n) =>
        $"{group}-{n} 10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}:9000";

    public static KeyValuePair<string, string> Instance(string group, int n) => KeyValuePair.Create(Key(group, n), Value(group, n));

    /// <summary>The text the rendered file holds exactly when the instance is registered.</summary>
    public static string ServerLine(string group, int n) => $"server {Value(group, n)} cookie";

    /// <summary>How many <c>server</c> lines of <paramref name="group"/> the rendered file holds.</summary>
    public static int CountServers(string content, string group)
    {
        var marker = $"server {group}-";
        var count = 0;
        for (var at = content.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = content.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

using System.Net;
using System.Net.Sockets;
using Scriban;

namespace Reconciler.Actors.Templates;

/// <summary>Functions that look outside the state: clock, environment, DNS and the file system.</summary>
public sealed partial class TemplateFunctions
{
    private void RegisterSystemFunctions()
    {
        Register("datetime", () => DateTime.Now);
        Register("getenv", GetEnvironmentVariable);
        Register("lookupIP", LookupIP);
        Register("lookupSRV", LookupSRV);

        // Like Go's os.Stat: a directory exists too.
        Register("fileExists", (string path) => File.Exists(path) || Directory.Exists(path));
    }

    /// <summary>confd's getenv: an unset or empty variable gives <paramref name="defaultValue"/>.</summary>
    private static string GetEnvironmentVariable(string name, string defaultValue = "") =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : defaultValue;

    /// <summary>
    /// The addresses of <paramref name="host"/> as sorted strings, like confd. A name that does not exist gives
    /// an empty list as in confd; any other resolver failure is an error (confd returns an empty list), so a
    /// flaky DNS server fails the render and keeps the old file instead of emptying a server pool.
    /// The render's cancellation token aborts a hanging lookup.
    /// </summary>
    private static string[] LookupIP(TemplateContext context, string host)
    {
        try
        {
            var addresses = Dns.GetHostAddressesAsync(host, context.CancellationToken).GetAwaiter().GetResult();
            return [.. addresses.Select(address => address.ToString()).Order(StringComparer.Ordinal)];
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            return [];
        }
    }

    /// <summary>
    /// Not supported: the .NET base library has no SRV resolver, and a hand-rolled DNS client (resolv.conf,
    /// UDP with TCP fallback, name compression) is more risk than this rarely used function is worth.
    /// Registered anyway so a confd template that calls it gets this explanation instead of "function not found".
    /// </summary>
    private static string[] LookupSRV(string service, string protocol, string name) =>
        throw new NotSupportedException(
            $"lookupSRV is not supported (no SRV resolver in .NET): cannot resolve _{service}._{protocol}.{name}; use lookupIP or keep the targets in etcd");
}

using System.Diagnostics.CodeAnalysis;
using Scriban;

namespace Reconciler.Actors.Templates;

/// <summary>Functions that look outside the state: clock, environment, DNS and the file system.</summary>
internal sealed partial class TemplateFunctions
{
    private void RegisterSystemFunctions()
    {
        Register("datetime", () => DateTime.Now);
        Register<string, string, string>("getenv", GetEnvironmentVariable);
        Register<TemplateContext, string, string[]>("lookupIP", LookupIP);
        // confd filters lookupIP's text: an address with a '.' is IPv4, one with a ':' IPv6
        Register("lookupIPV4", (TemplateContext context, string host) => LookupIP(context, host).Where(ip => ip.Contains('.', StringComparison.Ordinal)).ToArray());
        Register("lookupIPV6", (TemplateContext context, string host) => LookupIP(context, host).Where(ip => ip.Contains(':', StringComparison.Ordinal)).ToArray());
        Register<TemplateContext, string, string, string, ServiceRecord[]>("lookupSRV", LookupSRV);

        // Like Go's os.Stat: a directory exists too.
        Register("fileExists", (string path) => File.Exists(path) || Directory.Exists(path));
    }

    /// <summary>confd's getenv: an unset or empty variable gives <paramref name="defaultValue"/>.</summary>
    private static string GetEnvironmentVariable(string name, string defaultValue = "") =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : defaultValue;

    /// <summary>The addresses of <paramref name="host"/> as sorted strings, like confd (see <see cref="DnsLookup"/>).</summary>
    private string[] LookupIP(TemplateContext context, string host) => dns.Addresses(host, context.CancellationToken);

    /// <summary>The SRV records of <c>_service._protocol.name</c>, like confd (see <see cref="DnsLookup"/>).</summary>
    // the records' fields are read by Scriban's reflection only: kept for the native executable (an annotation on the
    // record itself is not enough, Scriban reflects over an object)
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ServiceRecord))]
    private ServiceRecord[] LookupSRV(TemplateContext context, string service, string protocol, string name) =>
        dns.Services(service, protocol, name, context.CancellationToken);
}
